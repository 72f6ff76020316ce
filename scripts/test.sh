#!/bin/sh
# make test: every test of the repository, with the summary lines of the
# contract and end-to-end suites shown (go test hides a passing package's
# output unless -v).
set -eu
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
status=0

run() { # name, go test arguments...
	name=$1
	shift
	echo "== $name"
	if go test -count=1 "$@" >"$log/$name" 2>&1; then
		grep -E '^(ok|contract:|e2e:|---.*FAIL|FAIL)' "$log/$name" || true
	else
		status=1
		# Show what failed, not the thousands of passing lines.
		grep -vE '^(=== (RUN|PAUSE|CONT)|    --- PASS|--- PASS|PASS$)' "$log/$name" | tail -n 300
	fi
}

pkgs=$(go list ./... ./gen/... ./cmd/gen/... | grep -vE '/(e2e|contracttest)$')
# shellcheck disable=SC2086
run unit -timeout 20m $pkgs
run contract -v -run '^TestContract$' ./gen/contracttest
if [ -d e2e ]; then
	run e2e -v -timeout 30m ./e2e/
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
