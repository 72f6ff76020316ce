#!/bin/sh
# make demo: run the quickstart against the daemon the environment names (or
# the default socket); when none answers, start a private daemon first.
set -eu
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

answers() {
	go run ./internal/cmd/dockerping "$1" >/dev/null 2>&1
}

host=${DOCKER_HOST:-unix:///var/run/docker.sock}
if ! answers "$host"; then
	echo "demo: no Docker daemon answers at $host; starting a private one (scripts/testdaemon.sh)" >&2
	out=$(scripts/testdaemon.sh start)
	host=$(echo "$out" | tail -n 1)
fi
export DOCKER_HOST="$host"
# The quickstart runs a busybox container; a private daemon has no images and
# no registry to pull from, so import one made from the local static busybox.
go run ./internal/cmd/seedimage
go run ./examples/quickstart
