#!/bin/sh
# A private Docker registry (Debian's docker-registry, distribution 2.8) for tests, CI and the demo.
#
#   scripts/registry.sh install                  apt-get install docker-registry when missing (root)
#   scripts/registry.sh start [--htpasswd FILE]  start it (installing first if needed); last stdout line is the address
#   scripts/registry.sh stop                     stop it and its forwarders (TERM, wait, KILL)
#   scripts/registry.sh addr                     print the address (127.0.0.1:5000), up or not
#   scripts/registry.sh status                   exit 0 when GET /v2/ answers
#
# It serves plain HTTP at 127.0.0.1 only, which dockerd accepts as an insecure registry without configuration.
# With --htpasswd FILE (bcrypt entries: `htpasswd -Bbn USER PASS`, from apache2-utils) it asks for basic auth.
# Its config, storage, pidfile, socket and logs live in $DOCKERSDK_REGISTRY_DIR (default /tmp/dockersdk-registry);
# the address is $DOCKERSDK_REGISTRY_ADDR (default 127.0.0.1:5000). start with another config than the running
# one restarts it; start with the same config is a no-op (but for restarting a forwarder that is missing).
#
# Like the test daemons it runs in a network namespace of its own, dsdkreg-HASH (only lo), and listens on a unix
# socket, registry.sock. sockforward (internal/cmd/sockforward, built here with go) makes it answer at the
# address in the host's namespace, for tests, and inside the namespace of each test daemon (scripts/testdaemon.sh),
# for dockerd. Start the registry and the daemons in any order: a registry started first is forwarded into each
# daemon's namespace when the daemon starts, a daemon started first gets its forwarder when the registry starts
# (scripts/netns.sh tells how). Stopping the registry stops all its forwarders.
set -eu

PATH=$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/go/bin
export PATH

RDIR=${DOCKERSDK_REGISTRY_DIR:-/tmp/dockersdk-registry}
case $RDIR in /*) ;; *) RDIR=$(pwd)/$RDIR ;; esac
RDIR=${RDIR%/}
ADDR=${DOCKERSDK_REGISTRY_ADDR:-127.0.0.1:5000}
CONFIG=$RDIR/config.yml
LOG=$RDIR/registry.log
PIDFILE=$RDIR/registry.pid
RSOCK=$RDIR/registry.sock
FORWARDER=$RDIR/sockforward
FORWARD_LOG=$RDIR/sockforward.log
START_TIMEOUT=${DOCKERSDK_REGISTRY_TIMEOUT:-30}
APT_LOCK=/tmp/dockersdk-apt.lock
ROOT=$(cd "$(dirname "$0")/.." && pwd)

log() { echo "registry: $*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=scripts/apt.sh
. "$(dirname "$0")/apt.sh"
# shellcheck source=scripts/netns.sh
. "$(dirname "$0")/netns.sh"

RNETNS=$(netns_name dsdkreg "$RDIR")

cmd_install() {
	if command -v docker-registry >/dev/null 2>&1; then
		log "docker-registry is installed"
		return 0
	fi
	apt_install docker-registry
	command -v docker-registry >/dev/null 2>&1 || die "docker-registry still missing after apt-get install"
}

# registry_pids: docker-registry processes serving this directory's config.
registry_pids() {
	for p in $(pids_named docker-registry); do
		if tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline" | grep -qxF -- "$CONFIG"; then
			echo "$p"
		fi
	done
}

# forwarder_pids_of_registry: the sockforward processes, in any namespace, that forward to this registry.
forwarder_pids_of_registry() {
	for p in $(forwarder_pids); do
		[ "$(forwarder_arg "$p" to)" = "$RSOCK" ] && echo "$p"
	done
	return 0
}

# answers: GET http://$ADDR/v2/ gets 200, or 401 when auth is on, here in the host's namespace.
answers() { registry_answers "" "$ADDR"; }

do_stop() {
	# shellcheck disable=SC2046 # one word per pid
	stop_pids docker-registry 10 $(registry_pids)
	# shellcheck disable=SC2046
	stop_pids sockforward 5 $(forwarder_pids_of_registry)
	netns_delete "$RNETNS"
	rm -f "$PIDFILE" "$RSOCK"
}

# build_forwarder: go build internal/cmd/sockforward into the state directory.
build_forwarder() {
	command -v go >/dev/null 2>&1 || die "go is missing: it builds internal/cmd/sockforward, the registry's forwarder"
	(cd "$ROOT" && go build -o "$FORWARDER.new" ./internal/cmd/sockforward) || die "go build ./internal/cmd/sockforward failed"
	mv -f "$FORWARDER.new" "$FORWARDER"
}

# forward_everywhere: a forwarder at $ADDR in this (the host's) namespace and in every test daemon's, each
# answering. Call with FWD_LOCK held.
forward_everywhere() {
	start_forwarder - "$FORWARDER" "$ADDR" "$RSOCK" "$FORWARD_LOG"
	wait_registry - "$ADDR" "$START_TIMEOUT" || die "no answer at http://$ADDR/v2/ through the forwarder (see $FORWARD_LOG)"
	for ns in $(daemon_netns); do
		start_forwarder "$ns" "$FORWARDER" "$ADDR" "$RSOCK" "$FORWARD_LOG"
		wait_registry "$ns" "$ADDR" "$START_TIMEOUT" ||
			die "no answer at http://$ADDR/v2/ inside network namespace $ns (see $FORWARD_LOG)"
	done
}

write_config() {
	cat >"$1" <<EOF
# docker-registry of the dockersdk tests, written by scripts/registry.sh
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $RDIR/data
  delete:
    enabled: true
http:
  net: unix
  addr: $RSOCK
  secret: dockersdk-test-registry
  headers:
    X-Content-Type-Options: [nosniff]
EOF
	if [ -n "$htpasswd" ]; then
		cat >>"$1" <<EOF
auth:
  htpasswd:
    realm: dockersdk
    path: $htpasswd
EOF
	fi
}

cmd_start() {
	htpasswd=
	while [ $# -gt 0 ]; do
		case $1 in
		--htpasswd)
			[ $# -ge 2 ] || die "--htpasswd needs a file"
			htpasswd=$2
			shift 2
			;;
		--htpasswd=*)
			htpasswd=${1#--htpasswd=}
			shift
			;;
		*) die "unknown option $1 (usage: $0 start [--htpasswd FILE])" ;;
		esac
	done
	if [ -n "$htpasswd" ]; then
		[ -r "$htpasswd" ] || die "cannot read htpasswd file $htpasswd"
		case $htpasswd in /*) ;; *) htpasswd=$(pwd)/$htpasswd ;; esac
	fi

	if [ "$(id -u)" != 0 ]; then
		answers || die "no registry answers at http://$ADDR/v2/, and starting one needs root (this is uid $(id -u))"
		log "a registry answers at $ADDR (not root: its configuration is not checked)"
		echo "$ADDR"
		return 0
	fi
	mkdir -p "$RDIR/data"
	exec 9>"$RDIR/lock"
	flock -w 300 9 || die "timed out waiting for $RDIR/lock (another start or stop)"
	write_config "$CONFIG.new"

	if [ -n "$(registry_pids)" ]; then
		if cmp -s "$CONFIG.new" "$CONFIG" && [ -S "$RSOCK" ] && [ -x "$FORWARDER" ]; then
			rm -f "$CONFIG.new"
			with_fwd_lock forward_everywhere
			log "already running at $ADDR"
			echo "$ADDR"
			return 0
		fi
		log "restarting with a new configuration"
	fi
	# Leftovers of an earlier run (the registry, forwarders, its namespace) go first.
	do_stop
	if answers; then
		rm -f "$CONFIG.new"
		die "something else already answers on http://$ADDR/v2/; stop it or set DOCKERSDK_REGISTRY_ADDR"
	fi
	command -v docker-registry >/dev/null 2>&1 || cmd_install
	[ ${#RSOCK} -lt 100 ] || die "socket path $RSOCK is too long for a unix socket; use a shorter DOCKERSDK_REGISTRY_DIR"
	build_forwarder
	mv -f "$CONFIG.new" "$CONFIG"
	for f in "$LOG" "$FORWARD_LOG"; do
		[ -f "$f" ] && mv -f "$f" "$f.1"
	done

	log "starting docker-registry on $ADDR (network namespace $RNETNS, socket $RSOCK, storage $RDIR/data${htpasswd:+, htpasswd $htpasswd})"
	netns_create "$RNETNS"
	setsid nsenter "--net=$NETNS_DIR/$RNETNS" docker-registry serve "$CONFIG" </dev/null >"$LOG" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$PIDFILE"
	end=$(($(now) + START_TIMEOUT))
	until [ -S "$RSOCK" ]; do
		if ! alive "$pid" || [ "$(now)" -ge "$end" ]; then
			if alive "$pid"; then
				log "docker-registry did not make $RSOCK within ${START_TIMEOUT}s"
			else
				log "docker-registry exited at start"
			fi
			echo "--- last lines of $LOG:" >&2
			tail -n 20 "$LOG" >&2
			do_stop
			exit 1
		fi
		sleep 0.1
	done
	if ! with_fwd_lock forward_everywhere; then
		echo "--- last lines of $FORWARD_LOG:" >&2
		tail -n 20 "$FORWARD_LOG" >&2
		do_stop
		exit 1
	fi
	log "docker-registry is up (pid $pid), logs in $LOG and $FORWARD_LOG"
	echo "$ADDR"
}

cmd_stop() {
	[ -d "$RDIR" ] || return 0
	[ "$(id -u)" = 0 ] || die "stopping the registry needs root (this is uid $(id -u))"
	exec 9>"$RDIR/lock"
	flock -w 300 9 || die "timed out waiting for $RDIR/lock (another start or stop)"
	do_stop
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
install) cmd_install ;;
start) cmd_start "$@" ;;
stop) cmd_stop ;;
addr) echo "$ADDR" ;;
status)
	if answers; then
		log "answering at $ADDR"
	else
		log "not answering at $ADDR"
		exit 1
	fi
	;;
*)
	echo "usage: $0 install|start [--htpasswd FILE]|stop|addr|status" >&2
	exit 2
	;;
esac
