#!/bin/sh
# A private Docker registry (Debian's docker-registry, distribution 2.8) for tests, CI and the demo.
#
#   scripts/registry.sh install                  apt-get install docker-registry when missing (root)
#   scripts/registry.sh start [--htpasswd FILE]  start it (installing first if needed); last stdout line is the address
#   scripts/registry.sh stop                     stop it (TERM, wait, KILL)
#   scripts/registry.sh addr                     print the address (127.0.0.1:5000), up or not
#   scripts/registry.sh status                   exit 0 when GET /v2/ answers
#
# It serves plain HTTP on 127.0.0.1 only, which dockerd accepts as an insecure registry without configuration.
# With --htpasswd FILE (bcrypt entries: `htpasswd -Bbn USER PASS`, from apache2-utils) it asks for basic auth.
# Its config, storage, pidfile and log live in $DOCKERSDK_REGISTRY_DIR (default /tmp/dockersdk-registry); the
# address is $DOCKERSDK_REGISTRY_ADDR (default 127.0.0.1:5000). start with another config than the running one
# restarts it; start with the same config is a no-op.
set -eu

PATH=$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

RDIR=${DOCKERSDK_REGISTRY_DIR:-/tmp/dockersdk-registry}
case $RDIR in /*) ;; *) RDIR=$(pwd)/$RDIR ;; esac
RDIR=${RDIR%/}
ADDR=${DOCKERSDK_REGISTRY_ADDR:-127.0.0.1:5000}
CONFIG=$RDIR/config.yml
LOG=$RDIR/registry.log
PIDFILE=$RDIR/registry.pid
START_TIMEOUT=${DOCKERSDK_REGISTRY_TIMEOUT:-30}
APT_LOCK=/tmp/dockersdk-apt.lock

log() { echo "registry: $*" >&2; }
die() { log "$*"; exit 1; }
now() { date +%s; }

# shellcheck source=scripts/apt.sh
. "$(dirname "$0")/apt.sh"

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
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = docker-registry ] || continue
		if tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF -- "$CONFIG"; then
			echo "${p#/proc/}"
		fi
	done
}

# alive PID...: one of them runs (a zombie, which no parent reaps on some machines, counts as gone).
alive() {
	for p in "$@"; do
		state=$(sed "s/.*) //" "/proc/$p/stat" 2>/dev/null | cut -d" " -f1) || true
		[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] && return 0
	done
	return 1
}

# answers: GET http://$ADDR/v2/ gets 200, or 401 when auth is on.
answers() {
	if command -v curl >/dev/null 2>&1; then
		code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://$ADDR/v2/" 2>/dev/null) || true
		[ "$code" = 200 ] || [ "$code" = 401 ]
	else
		perl -MIO::Socket::INET -e '
			$SIG{ALRM} = sub { exit 1 }; alarm 5;
			my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0]) or exit 1;
			print $s "GET /v2/ HTTP/1.0\r\nHost: $ARGV[0]\r\n\r\n";
			my $l = <$s>;
			exit(defined $l && $l =~ m{\AHTTP/1\.[01] (200|401) } ? 0 : 1);
		' "$ADDR" 2>/dev/null
	fi
}

do_stop() {
	pids=$(registry_pids)
	if [ -n "$pids" ]; then
		log "stopping docker-registry (pid $pids)"
		# shellcheck disable=SC2086 # one word per pid
		kill -TERM $pids 2>/dev/null || true
		end=$(($(now) + 10))
		# shellcheck disable=SC2086
		while alive $pids && [ "$(now)" -lt "$end" ]; do sleep 0.1; done
		# shellcheck disable=SC2086
		if alive $pids; then
			log "docker-registry did not exit within 10s, sending SIGKILL"
			kill -KILL $pids 2>/dev/null || true
			sleep 0.5
		fi
	fi
	rm -f "$PIDFILE"
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
  addr: $ADDR
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
		if cmp -s "$CONFIG.new" "$CONFIG" && answers; then
			rm -f "$CONFIG.new"
			log "already running at $ADDR"
			echo "$ADDR"
			return 0
		fi
		log "restarting with a new configuration"
		do_stop
	fi
	if answers; then
		rm -f "$CONFIG.new"
		die "something else already answers on http://$ADDR/v2/; stop it or set DOCKERSDK_REGISTRY_ADDR"
	fi
	command -v docker-registry >/dev/null 2>&1 || cmd_install
	mv -f "$CONFIG.new" "$CONFIG"
	[ -f "$LOG" ] && mv -f "$LOG" "$LOG.1"

	log "starting docker-registry on $ADDR (storage $RDIR/data${htpasswd:+, htpasswd $htpasswd})"
	setsid docker-registry serve "$CONFIG" </dev/null >"$LOG" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$PIDFILE"
	end=$(($(now) + START_TIMEOUT))
	until answers; do
		if ! alive "$pid" || [ "$(now)" -ge "$end" ]; then
			if alive "$pid"; then
				log "docker-registry did not answer GET http://$ADDR/v2/ within ${START_TIMEOUT}s"
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
	log "docker-registry is up (pid $pid), logs in $LOG"
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
