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
		if go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -timeout 0 -parallel 1 "$pkg" >"$log/$target" 2>&1; then
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
EOF
wait
if [ -e "$log/failed" ]; then
	exit 1
fi
