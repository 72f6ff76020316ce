#!/bin/sh
# Copies Docker's Engine API specs from the pinned Go module into specs/ and
# records where they came from. The pin lives in specs/SOURCE.
set -eu
cd "$(dirname "$0")/.."
module=$(sed -n 's/^module: //p' specs/SOURCE)
version=$(sed -n 's/^version: //p' specs/SOURCE)
dir=$(cd specs && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/docs" ] || { echo "fetch-specs: $module@$version has no docs/ folder" >&2; exit 1; }
rm -f specs/v1.*.yaml
# From 1.57 docs/v1.NN.yaml is OpenAPI 3 and the module ships the Swagger 2.0
# copy the generator reads as docs/v1.NN-swagger.yaml: take that one.
for f in "$dir"/docs/v1.*.yaml; do
	name=$(basename "$f")
	case $name in *-swagger.yaml) continue ;; esac
	src=$f
	[ -f "${f%.yaml}-swagger.yaml" ] && src=${f%.yaml}-swagger.yaml
	cp "$src" "specs/$name"
	chmod 644 "specs/$name"
done
(cd specs && sha256sum v1.*.yaml | sort -k2 -V) > specs/SHA256SUMS
echo "copied $(ls specs/v1.*.yaml | wc -l) specs from $module@$version"
