#!/bin/sh
# Runs every fuzz target for FUZZTIME each (default 10m), two at a time with
# one worker each, and reports each target's outcome. make fuzz uses it; the
# test suite runs each target briefly (FUZZTIME=5s).
set -eu
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
FUZZTIME=${FUZZTIME:-10m}
PARALLEL=${FUZZPARALLEL:-2}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
running=0
# The loop reads a here-document, not a pipe, so that it runs in this shell
# and the final wait covers every target.
while read -r pkg target; do
	(
		# -timeout 0: go test's default of 10m would end a 10m fuzz run.
		fuzz() { go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -timeout 0 -parallel 1 "$pkg" >"$log/$target" 2>&1; }
		ok=0
		if fuzz; then
			ok=1
		elif grep -q 'context deadline exceeded' "$log/$target" && ! grep -q 'Failing input' "$log/$target"; then
			# Go's fuzzing coordinator before 1.27 can report its own -fuzztime
			# deadline as a failure (a race between the parent and child
			# contexts, go.dev/issue/75804). A finding always writes a failing
			# input, so this is not one: run the target again.
			echo "fuzz: $target ($pkg): the coordinator reported its own deadline, with no finding (go.dev/issue/75804); running it again"
			fuzz && ok=1
		fi
		if [ "$ok" = 1 ]; then
			echo "fuzz: $target ($pkg) ran $FUZZTIME without a finding"
		else
			echo "fuzz: $target ($pkg) FAILED:"
			grep -v '^fuzz: elapsed' "$log/$target" | tail -n 20
			touch "$log/failed"
		fi
	) &
	running=$((running + 1))
	if [ "$running" -ge "$PARALLEL" ]; then
		wait
		running=0
	fi
done <<EOF
. FuzzDemux
. FuzzJSONStream
. FuzzDecodePathStat
. FuzzErrorMessage
. FuzzFiltersEncoding
./dialer FuzzParse
./dialer FuzzContextMeta
./imageref FuzzParse
./buildkit FuzzDecodeStatus
EOF
wait
if [ -e "$log/failed" ]; then
	exit 1
fi
