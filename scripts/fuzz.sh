#!/bin/sh
# Runs every fuzz target for FUZZTIME each (default 10m), two at a time with
# one worker each, and reports each target's outcome. make fuzz uses it; the
# test suite runs each target briefly (FUZZTIME=5s).
set -eu
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
FUZZTIME=${FUZZTIME:-10m}
PARALLEL=${FUZZPARALLEL:-2}
targets="
. FuzzDemux
. FuzzJSONStream
. FuzzDecodePathStat
. FuzzErrorMessage
. FuzzFiltersEncoding
./dialer FuzzParse
./dialer FuzzContextMeta
"
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
status=0
running=0
echo "$targets" | while read -r pkg target; do
	[ -n "$target" ] || continue
	(
		if go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -parallel 1 "$pkg" >"$log/$target" 2>&1; then
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
done
wait
if [ -e "$log/failed" ]; then
	exit 1
fi
