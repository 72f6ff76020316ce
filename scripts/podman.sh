#!/bin/sh
# A private Podman service (Debian 12's podman 4.3, its Docker-compatible API 1.41) for the tests.
#
#   scripts/podman.sh install   apt-get install podman and busybox-static when missing (root)
#   scripts/podman.sh start     start it (installing first if needed); last stdout line is unix:///.../podman.sock
#   scripts/podman.sh stop      stop the service and everything in its network namespace, delete the namespace
#   scripts/podman.sh host      print the unix:// address, up or not
#   scripts/podman.sh status    exit 0 when GET /_ping answers OK
#   scripts/podman.sh netns     print the name of its network namespace, up or not
#
# Everything lives under $DOCKERSDK_PODMAN_DIR (default: $DOCKERSDK_DAEMON_DIR-podman, /tmp/dockersdk-daemon-podman): podman.sock, root/ (images and
# containers), run/ (runroot), tmp/, cni/ (network configs), podman.pid, podman.log, and the configuration files
# the service reads instead of the host's, through CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and
# CONTAINERS_REGISTRIES_CONF:
#   - containers.conf: cgroupfs (no systemd here), file events, runc, and default ulimits this machine can
#     grant (Podman raises nofile and nproc to its own defaults, beyond the hard limits here, and every start
#     fails with "error setting rlimit type 6: operation not permitted");
#   - storage.conf: overlay when an overlay mount works in the state directory, else vfs;
#   - registries.conf: no short-name search (a reference is docker.io's or names its registry) and
#     127.0.0.1:5000 (scripts/registry.sh) as a plain-HTTP registry.
# Like the Docker test daemons, it runs rootful in a network namespace of its own (dsdk-HASH, only lo; the
# registry's forwarder is copied in, see scripts/netns.sh), so nothing it does leaves the machine. Its
# containers' cgroups go under Podman's own parent (libpod_parent), never a host Docker's.
#
# Environment: DOCKERSDK_PODMAN_DIR, DOCKERSDK_DAEMON_DIR, DOCKERSDK_DAEMON_TIMEOUT (start, seconds, default 60).
set -eu

PATH=$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

DIR=${DOCKERSDK_DAEMON_DIR:-/tmp/dockersdk-daemon}
DIR=${DOCKERSDK_PODMAN_DIR:-${DIR%/}-podman}
case $DIR in /*) ;; *) DIR=$(pwd)/$DIR ;; esac
DIR=${DIR%/}
SOCK=$DIR/podman.sock
HOST=unix://$SOCK
LOG=$DIR/podman.log
PIDFILE=$DIR/podman.pid
START_TIMEOUT=${DOCKERSDK_DAEMON_TIMEOUT:-60}
APT_LOCK=/tmp/dockersdk-apt.lock

log() { echo "podman.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=scripts/netns.sh
. "$(dirname "$0")/netns.sh"
# shellcheck source=scripts/hostfs.sh
. "$(dirname "$0")/hostfs.sh"
# shellcheck source=scripts/apt.sh
. "$(dirname "$0")/apt.sh"

NETNS=$(netns_name dsdk "$DIR")


cmd_install() {
	pkgs=
	command -v podman >/dev/null 2>&1 || pkgs=podman
	command -v ip >/dev/null 2>&1 || pkgs="$pkgs iproute2"
	busybox_static || pkgs="$pkgs busybox-static"
	if [ -z "$pkgs" ]; then
		log "podman, ip and a static /bin/busybox are installed"
		return 0
	fi
	# shellcheck disable=SC2086 # word splitting wanted
	apt_install $pkgs
	command -v podman >/dev/null 2>&1 || die "podman still missing after installing it"
	log "installed $pkgs"
}

ping_service() { ping_socket "$SOCK"; }

service_pids() {
	[ -f "$PIDFILE" ] || return 0
	p=$(cat "$PIDFILE")
	alive "$p" && echo "$p"
	return 0
}


# hard_limit NAME CAP: this shell's hard limit NAME (from /proc/self/limits), at most CAP.
hard_limit() {
	_v=$(sed -n "s/^$1  *[^ ]*  *\([^ ]*\) .*/\1/p" /proc/self/limits)
	case $_v in '' | unlimited) _v=$2 ;; esac
	[ "$_v" -gt "$2" ] && _v=$2
	echo "$_v"
}

write_config() {
	nofile=$(hard_limit "Max open files" 65536)
	nproc=$(hard_limit "Max processes" 32768)
	cat >"$DIR/containers.conf" <<EOF
# written by scripts/podman.sh
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$DIR/events.log"
runtime = "runc"
tmp_dir = "$DIR/tmp"
static_dir = "$DIR/root/libpod"
volume_path = "$DIR/root/volumes"

[network]
network_backend = "cni"
network_config_dir = "$DIR/cni"
EOF
	if overlay_works "$DIR"; then driver=overlay; else driver=vfs; fi
	cat >"$DIR/storage.conf" <<EOF
# written by scripts/podman.sh
[storage]
driver = "$driver"
graphroot = "$DIR/root"
runroot = "$DIR/run"
EOF
	cat >"$DIR/registries.conf" <<EOF
# written by scripts/podman.sh
unqualified-search-registries = ["docker.io"]
short-name-mode = "disabled"

[[registry]]
location = "127.0.0.1:5000"
insecure = true
EOF
}

tail_log() {
	[ -s "$LOG" ] || return 0
	echo "--- last lines of $LOG:" >&2
	tail -n 20 "$LOG" >&2
}

start_fail() {
	log "$*"
	tail_log
	do_stop >/dev/null 2>&1 || true
	exit 1
}

cmd_start() {
	if ping_service; then
		log "already running at $HOST (network namespace $NETNS)"
		[ ! -e "$NETNS_DIR/$NETNS" ] || with_fwd_lock copy_forwarders "$NETNS"
		echo "$HOST"
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "no service answers at $HOST, and starting podman rootful needs root (this is uid $(id -u))"
	mkdir -p "$DIR"
	exec 9>"$DIR/lock"
	flock -w 600 9 || die "timed out waiting for $DIR/lock (another start or stop)"
	if ping_service; then
		echo "$HOST"
		return 0
	fi
	command -v podman >/dev/null 2>&1 && busybox_static && command -v ip >/dev/null 2>&1 || cmd_install
	do_stop

	mkdir -p "$DIR/root" "$DIR/run" "$DIR/tmp" "$DIR/cni"
	write_config
	[ -f "$LOG" ] && mv -f "$LOG" "$LOG.1"
	rm -f "$SOCK" "$PIDFILE"

	log "creating network namespace $NETNS"
	netns_create "$NETNS"
	with_fwd_lock copy_forwarders "$NETNS"

	log "starting podman system service ($HOST, network namespace $NETNS)"
	CONTAINERS_CONF=$DIR/containers.conf \
		CONTAINERS_STORAGE_CONF=$DIR/storage.conf \
		CONTAINERS_REGISTRIES_CONF=$DIR/registries.conf \
		TMPDIR=$DIR/tmp \
		setsid nsenter "--net=$NETNS_DIR/$NETNS" podman \
		--root "$DIR/root" --runroot "$DIR/run" \
		--cgroup-manager=cgroupfs --events-backend=file \
		system service --time=0 "$HOST" \
		</dev/null >"$LOG" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$PIDFILE"
	end=$(($(now) + START_TIMEOUT))
	until ping_service; do
		alive "$pid" || start_fail "podman system service exited at start"
		[ "$(now)" -lt "$end" ] || start_fail "podman did not answer GET /_ping on $SOCK within ${START_TIMEOUT}s"
		sleep 0.2
	done
	log "podman is up (pid $pid, network namespace $NETNS), logs in $LOG"
	echo "$HOST"
}

do_stop() {
	# shellcheck disable=SC2046 # one word per pid
	stop_pids "podman system service" 30 $(service_pids)
	# Then conmon and the containers' processes, and the namespace.
	if [ -e "$NETNS_DIR/$NETNS" ]; then
		log "deleting network namespace $NETNS"
		netns_delete "$NETNS"
	fi
	unmount_under "$DIR"
	rm -f "$SOCK" "$PIDFILE"
}

cmd_stop() {
	[ -d "$DIR" ] || return 0
	[ "$(id -u)" = 0 ] || die "stopping podman needs root (this is uid $(id -u))"
	exec 9>"$DIR/lock"
	flock -w 600 9 || die "timed out waiting for $DIR/lock (another start or stop)"
	do_stop
}

case ${1:-} in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
host) echo "$HOST" ;;
netns) echo "$NETNS" ;;
status)
	if ping_service; then log "running at $HOST"; else
		log "not running at $HOST"
		exit 1
	fi
	;;
*)
	echo "usage: $0 install|start|stop|host|status|netns" >&2
	exit 2
	;;
esac
