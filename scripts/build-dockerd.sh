#!/bin/sh
# Build a Docker daemon pinned in scripts/daemons.sh from the Go module proxy, once: the binary is cached and
# a second call only prints its path.
#
#   scripts/build-dockerd.sh docker28|docker29    last stdout line: the path of its dockerd
#
# Needs Go and the module proxy; a cold build takes 8-11 CPU-minutes. Builds are serialized by a lock, so two
# callers wait for one build. Environment: DOCKERSDK_CACHE (see daemons.sh), GO (default go).
set -eu
cd "$(dirname "$0")/.."
PATH=$PATH:/usr/local/go/bin
export PATH
GO=${GO:-go}

log() { echo "build-dockerd: $*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=scripts/daemons.sh
. scripts/daemons.sh

name=${1:-}
dir=$(dockerd_cache "$name") || die "usage: $0 docker28|docker29 (got '${name}')"
bin=$dir/dockerd
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
mkdir -p "$DOCKERSDK_CACHE"
exec 9>"$DOCKERSDK_CACHE/build.lock"
flock -w 3600 9 || die "timed out waiting for $DOCKERSDK_CACHE/build.lock"
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

tmp=$(mktemp -d "$DOCKERSDK_CACHE/build.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
start=$(date +%s)
export CGO_ENABLED=0
case $name in
docker29)
	log "building dockerd $DOCKER29_MODULE@$DOCKER29_VERSION (8-11 CPU-minutes cold)"
	GOBIN=$tmp GOFLAGS=-trimpath "$GO" install -tags "$DOCKER29_TAGS" \
		-ldflags "-X '$DOCKER29_MODULE/dockerversion.Version=$DOCKER29_LABEL'" \
		"$DOCKER29_MODULE/cmd/dockerd@$DOCKER29_VERSION" >&2 ||
		die "building $DOCKER29_MODULE@$DOCKER29_VERSION failed"
	;;
docker28)
	# The module has no go.mod: copy it out of the (read-only) module cache and use its vendor.mod.
	log "building dockerd $DOCKER28_MODULE@$DOCKER28_VERSION (8-11 CPU-minutes cold)"
	src=$(cd "$tmp" && GOFLAGS=-mod=mod "$GO" mod download -json "$DOCKER28_MODULE@$DOCKER28_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -n "$src" ] && [ -d "$src" ] || die "go mod download $DOCKER28_MODULE@$DOCKER28_VERSION gave no folder"
	cp -r "$src" "$tmp/src"
	chmod -R u+w "$tmp/src"
	cp "$tmp/src/vendor.mod" "$tmp/src/go.mod"
	cp "$tmp/src/vendor.sum" "$tmp/src/go.sum"
	rm -rf "$tmp/src/vendor"
	(cd "$tmp/src" && GOFLAGS="-mod=mod -trimpath" "$GO" build -tags "$DOCKER28_TAGS" \
		-ldflags "-X '$DOCKER28_MODULE/dockerversion.Version=$DOCKER28_LABEL'" \
		-o "$tmp/dockerd" ./cmd/dockerd) >&2 ||
		die "building $DOCKER28_MODULE@$DOCKER28_VERSION failed"
	;;
esac
"$tmp/dockerd" --version >&2 || die "the built dockerd does not run"
mkdir -p "$dir"
mv "$tmp/dockerd" "$bin.new"
mv "$bin.new" "$bin"
log "built $bin in $(($(date +%s) - start))s"
echo "$bin"
