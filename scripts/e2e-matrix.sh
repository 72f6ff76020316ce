#!/bin/sh
# make e2e-matrix: the end-to-end suite (./e2e), the task layer's tests (./task) and BuildKit builds
# (./buildkit) against every daemon of scripts/daemons.sh, one after the other, each private and in its own
# network namespace: dockerd 20.10, Docker 29, Docker 28, Podman 4.3.
#
#   scripts/e2e-matrix.sh [DAEMON...]    default: $DOCKERSDK_E2E_DAEMONS, else MATRIX_DAEMONS of daemons.sh
#
# Each run prints the suite's summary, e.g.
#   e2e: 32 of 32 versions the daemon serves passed (dockerd 29.x (moby v2.0.0-beta.24), API 1.24-1.56)
# and the script ends with one such line per daemon. The registry is DOCKER_TEST_REGISTRY, or the private one
# (scripts/registry.sh), started here. Docker 28 and 29 are built on first use (scripts/build-dockerd.sh,
# cached). A daemon this script started is stopped after its run, but docker20, which make test shares.
# When a daemon cannot start, its run is reported as skipped, or failed with DOCKERSDK_REQUIRE_DAEMON=1.
set -eu
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
# shellcheck source=scripts/daemons.sh
. scripts/daemons.sh

daemons=${*:-${DOCKERSDK_E2E_DAEMONS:-$MATRIX_DAEMONS}}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
status=0
summary=

say() { summary="$summary$1
"; }

if [ -z "${DOCKER_TEST_REGISTRY:-}" ]; then
	if out=$(scripts/registry.sh start 2>"$log/registry.err"); then
		DOCKER_TEST_REGISTRY=$(echo "$out" | tail -n 1)
		export DOCKER_TEST_REGISTRY
	else
		echo "== scripts/registry.sh start failed; the registry tests will skip:"
		tail -n 5 "$log/registry.err"
	fi
fi

# control DAEMON start|stop: the script that runs it.
control() {
	case $1 in
	podman) scripts/podman.sh "$2" ;;
	*) DOCKERSDK_DAEMON=$1 scripts/testdaemon.sh "$2" ;;
	esac
}

for d in $daemons; do
	case $d in docker20 | docker28 | docker29 | podman) ;; *)
		echo "e2e-matrix: unknown daemon $d (want docker20, docker28, docker29 or podman)" >&2
		exit 2
		;;
	esac
	echo "== e2e against $d"
	was_up=
	control "$d" status >/dev/null 2>&1 && was_up=1
	start=$(date +%s)
	if ! out=$(control "$d" start 2>"$log/$d.start"); then
		echo "-- $d did not start:"
		tail -n 20 "$log/$d.start"
		if [ "${DOCKERSDK_REQUIRE_DAEMON:-}" = 1 ]; then
			status=1
			say "e2e: FAILED, $d did not start"
		else
			say "e2e: skipped, $d did not start"
		fi
		continue
	fi
	host=$(echo "$out" | tail -n 1)
	# Nothing a test does may leave the machine: the daemon's namespace has no route but its own.
	ns=$(control "$d" netns)
	if [ "$(id -u)" = 0 ] && [ -e "/run/netns/$ns" ]; then
		if nsenter "--net=/run/netns/$ns" ip route get 192.0.2.1 >/dev/null 2>&1 ||
			nsenter "--net=/run/netns/$ns" ip -6 route get 2001:db8::1 >/dev/null 2>&1; then
			echo "-- $d's network namespace $ns has a route off this machine:"
			nsenter "--net=/run/netns/$ns" ip route
			status=1
			say "e2e: FAILED, $d could reach beyond loopback"
			continue
		fi
		echo "== $d runs in network namespace $ns, with no route off this machine"
	fi
	# The task layer (./task) and BuildKit builds (./buildkit) run against every daemon too: they are the code
	# most sensitive to their differences. The builds run after the other two, not beside them: their load
	# made Docker 28's own swarm leave time out once.
	ok=1
	DOCKER_TEST_HOST=$host go test -count=1 -v -timeout 30m ./e2e/ ./task/ >"$log/$d" 2>&1 || ok=0
	DOCKER_TEST_HOST=$host go test -count=1 -v -timeout 30m ./buildkit/ >>"$log/$d" 2>&1 || ok=0
	if [ "$ok" = 1 ]; then
		grep -E '^(ok|e2e)' "$log/$d" || true
	else
		status=1
		echo "-- failed:"
		grep -E -B 3 -A 8 '^ *--- FAIL|^panic:' "$log/$d" | head -n 80
		# Parallel tests print their messages away from their FAIL line (after "=== NAME"); a failure's
		# message was once lost between the two excerpts. Every test message, but the usual ones:
		echo "-- test messages:"
		grep -E '^\s+[a-z0-9_]+_test\.go:[0-9]+: ' "$log/$d" |
			grep -vE ' serves API|ContainerUpdate warnings|has no BuildKit|built with each of|MiB|heap grew' | tail -n 40
		echo "-- last lines:"
		grep -vE '^(=== (RUN|PAUSE|CONT)|    --- PASS|--- PASS|PASS$|\s+--- SKIP|--- SKIP|\s+[a-z0-9_]+_test.go:[0-9]+: .* serves API)' "$log/$d" | tail -n 60
	fi
	line=$(grep -E '^e2e: ' "$log/$d" | tail -n 1)
	tasks=$(grep -E '^(ok|FAIL)[[:space:]]+github.com/dockerclient/docker/task' "$log/$d" | awk '{print $1}')
	builds=$(grep -E '^(ok|FAIL)[[:space:]]+github.com/dockerclient/docker/buildkit' "$log/$d" | awk '{print $1}')
	# A daemon without BuildKit (Podman) runs only the test that it is said so.
	! grep -q -- '--- PASS: TestNoBuildKit' "$log/$d" || builds="$builds (the daemon has no BuildKit, and says so)"
	say "${line:-e2e: no summary from the run against $d}; task: ${tasks:-no result}; buildkit: ${builds:-no result} [$(($(date +%s) - start))s]"
	if [ -z "$was_up" ] && [ "$d" != docker20 ]; then
		control "$d" stop >/dev/null 2>&1 || echo "e2e-matrix: stopping $d failed" >&2
	fi
done

echo "== e2e matrix"
printf '%s' "$summary"
exit "$status"
