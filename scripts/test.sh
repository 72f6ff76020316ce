#!/bin/sh
# make test: every test of the repository, with the summary lines of the
# contract and end-to-end suites shown (go test hides a passing package's
# output unless -v).
#
# The tests that need a Docker daemon or a registry run only when
# DOCKER_TEST_HOST and DOCKER_TEST_REGISTRY name them (go test alone starts
# nothing). This script sets them: to what the environment already names
# (.ci/run starts its own), or else to the private daemon and registry of
# scripts/testdaemon.sh and scripts/registry.sh, started here (as root; they
# install Debian packages when missing) and left running for the next run:
# `scripts/testdaemon.sh stop; scripts/registry.sh stop` stops them. When
# one cannot start, its tests skip, or fail with DOCKERSDK_REQUIRE_DAEMON=1.
set -eu
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
status=0

# start VAR SCRIPT: set VAR, unless set, to the last line SCRIPT start prints.
start() {
	eval "cur=\${$1:-}"
	if [ -n "$cur" ]; then
		echo "== $1=$cur (from the environment)"
		return 0
	fi
	if out=$("scripts/$2" start 2>"$log/$2.err"); then
		val=$(echo "$out" | tail -n 1)
		export "$1=$val"
		echo "== $1=$val (scripts/$2 start)"
		return 0
	fi
	echo "== scripts/$2 start failed:"
	tail -n 20 "$log/$2.err"
	if [ "${DOCKERSDK_REQUIRE_DAEMON:-}" = 1 ]; then
		echo "make test: FAILED (DOCKERSDK_REQUIRE_DAEMON=1 and no $1)"
		exit 1
	fi
	echo "== the tests that need $1 will skip"
}
start DOCKER_TEST_HOST testdaemon.sh
start DOCKER_TEST_REGISTRY registry.sh

run() { # name, go test arguments...
	name=$1
	shift
	echo "== $name"
	if go test -count=1 "$@" >"$log/$name" 2>&1; then
		grep -E '^(ok|contract:|e2e:|---.*FAIL|FAIL)' "$log/$name" || true
	else
		status=1
		# Show what failed, not the thousands of passing lines; first the
		# failing tests and their messages, which a long log (an sshd's)
		# would push out of the tail.
		echo "-- failed:"
		grep -E -B 3 -A 8 '^ *--- FAIL|^panic:' "$log/$name" | head -n 80
		echo "-- last lines:"
		grep -vE '^(=== (RUN|PAUSE|CONT)|    --- PASS|--- PASS|PASS$)' "$log/$name" | tail -n 300
	fi
}

# e2e, task and buildkit run in the e2e matrix below, against every daemon.
pkgs=$(go list ./... ./gen/... ./cmd/gen/... | grep -vE '/(e2e|task|buildkit|contracttest)$')
# shellcheck disable=SC2086
run unit -timeout 20m $pkgs
run contract -v -run '^TestContract$' ./gen/contracttest
# The end-to-end suite against every daemon of the matrix (scripts/daemons.sh; DOCKERSDK_E2E_DAEMONS narrows
# it), the private dockerd 20.10 above among them. Against a daemon of your own instead:
# DOCKERSDK_E2E_DAEMONS=none, then go test ./e2e/ with DOCKER_TEST_HOST naming it.
if [ -d e2e ] && [ "${DOCKERSDK_E2E_DAEMONS:-}" != none ]; then
	if ! scripts/e2e-matrix.sh; then
		status=1
	fi
fi
echo "== fuzz (each target briefly; make fuzz runs them for 10 minutes)"
if ! FUZZTIME=${FUZZTIME:-5s} scripts/fuzz.sh; then
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "make test: FAILED"
else
	echo "make test: all passed"
fi
exit "$status"
