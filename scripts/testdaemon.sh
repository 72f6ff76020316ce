#!/bin/sh
# A private Docker daemon for tests, CI and the demo.
#
#   scripts/testdaemon.sh install [PKG...]   apt-get install docker.io, busybox-static (and PKG...) when missing (root)
#   scripts/testdaemon.sh start     start it (installing first if needed); last stdout line is unix:///.../docker.sock
#   scripts/testdaemon.sh stop      stop dockerd, then its containerd (TERM, wait, KILL), and delete its namespace
#   scripts/testdaemon.sh host      print the unix:// address, up or not
#   scripts/testdaemon.sh status    exit 0 when GET /_ping answers OK
#   scripts/testdaemon.sh netns     print the name of its network namespace, up or not
#
# Everything lives under one state directory, $DOCKERSDK_DAEMON_DIR (default /tmp/dockersdk-daemon):
# docker.sock, data/ (data root), exec/ (exec root), dockerd.pid, dockerd.log, daemon.json, and the daemon's own
# containerd (containerd.toml, containerd/, containerd.pid, containerd.log).
#
# The daemon never touches a host's Docker: it has its own socket, data root, exec root, pidfile, daemon.json
# (so /etc/docker/daemon.json is not read), cgroup parent (/dsdk-HASH) and containerd (dockerd 20.10 would
# otherwise reuse a host containerd at /run/containerd/containerd.sock). It never changes iptables or ip_forward.
#
# It sends nothing off this machine: containerd and dockerd run in a network namespace of their own, dsdk-HASH
# (HASH from the state directory; `ip netns add`, entered with `setsid nsenter --net=/run/netns/dsdk-HASH`),
# that has only `lo` and the bridges dockerd makes in it (docker0, and docker_gwbridge for a swarm), so that a
# lookup of registry-1.docker.io, or any connection beyond loopback, fails at once. Tests on the host reach the
# daemon through its unix socket, a file. A test registry (scripts/registry.sh) answers inside the namespace at
# the same address as on the host, 127.0.0.1:5000, whichever of the two starts first: see scripts/netns.sh.
#
# Which daemon: DOCKERSDK_DAEMON (scripts/daemons.sh pins them): docker20 (the default: Debian's docker.io, dockerd
# 20.10), docker28 or docker29 (built once from the Go module proxy by scripts/build-dockerd.sh, cached, and run
# on Debian's containerd and runc). Each has its own state directory, so all of them can run at once:
# $DOCKERSDK_DAEMON_DIR for docker20, with -28 or -29 appended for the others (/tmp/dockersdk-daemon-29). Podman has its own script, podman.sh.
#
# Environment: DOCKERSDK_DAEMON, DOCKERSDK_DAEMON_DIR, DOCKERSDK_DAEMON_TIMEOUT (start, seconds, default 60),
# DOCKERSDK_DAEMON_STOP_TIMEOUT (seconds before SIGKILL, default 30), DOCKERSDK_STORAGE_DRIVER (default: overlay2
# when an overlay mount works in the state directory, else vfs).
set -eu

PATH=$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# shellcheck source=scripts/daemons.sh
. "$(dirname "$0")/daemons.sh"

FLAVOR=${DOCKERSDK_DAEMON:-docker20}
case $FLAVOR in
docker20) DIR=${DOCKERSDK_DAEMON_DIR:-/tmp/dockersdk-daemon} ;;
docker28 | docker29)
	DIR=${DOCKERSDK_DAEMON_DIR:-/tmp/dockersdk-daemon}
	DIR=${DIR%/}-${FLAVOR#docker}
	;;
*)
	echo "testdaemon: DOCKERSDK_DAEMON=$FLAVOR: want docker20, docker28 or docker29 (podman: scripts/podman.sh)" >&2
	exit 2
	;;
esac
case $DIR in /*) ;; *) DIR=$(pwd)/$DIR ;; esac
DIR=${DIR%/}
SOCK=$DIR/docker.sock
HOST=unix://$SOCK
LOG=$DIR/dockerd.log
PIDFILE=$DIR/dockerd.pid
CONFIG=$DIR/daemon.json
CTRD_CONFIG=$DIR/containerd.toml
CTRD_SOCK=$DIR/containerd/containerd.sock
CTRD_PIDFILE=$DIR/containerd.pid
CTRD_LOG=$DIR/containerd.log
START_TIMEOUT=${DOCKERSDK_DAEMON_TIMEOUT:-60}
STOP_TIMEOUT=${DOCKERSDK_DAEMON_STOP_TIMEOUT:-30}
APT_LOCK=/tmp/dockersdk-apt.lock

log() { echo "testdaemon: $*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=scripts/netns.sh
. "$(dirname "$0")/netns.sh"
# shellcheck source=scripts/hostfs.sh
. "$(dirname "$0")/hostfs.sh"

# The daemon's network namespace and cgroup parent, named after the state directory.
NETNS=$(netns_name dsdk "$DIR")
CGROUP_PARENT=/$NETNS

# ---------------------------------------------------------------- install


# shellcheck source=scripts/apt.sh
. "$(dirname "$0")/apt.sh"

need_install() {
	command -v dockerd >/dev/null 2>&1 || return 0
	command -v containerd >/dev/null 2>&1 || return 0
	command -v ip >/dev/null 2>&1 || return 0
	busybox_static || return 0
	return 1
}

# cmd_install [PKG...]: docker.io, busybox-static and iproute2 (ip netns), plus any other Debian packages named
# (CI asks for the registry and sshd this way), each only when missing.
cmd_install() {
	pkgs=
	if ! command -v dockerd >/dev/null 2>&1 || ! command -v containerd >/dev/null 2>&1; then
		pkgs=docker.io
	fi
	command -v ip >/dev/null 2>&1 || pkgs="$pkgs iproute2"
	busybox_static || pkgs="$pkgs busybox-static"
	for extra in "$@"; do
		dpkg -s "$extra" >/dev/null 2>&1 || pkgs="$pkgs $extra"
	done
	if [ -z "$pkgs" ]; then
		log "dockerd, containerd, ip, a static /bin/busybox${*:+ and $*} are installed"
		return 0
	fi
	# shellcheck disable=SC2086 # word splitting wanted
	apt_install $pkgs
	command -v dockerd >/dev/null 2>&1 || die "dockerd still missing after installing docker.io"
	busybox_static || die "/bin/busybox is still missing or dynamically linked after installing busybox-static"
	log "installed $pkgs"
}

# ---------------------------------------------------------------- processes

# pids_of COMM ARG: processes whose name is COMM and one of whose arguments is exactly ARG.
pids_of() {
	for p in $(pids_named "$1"); do
		if tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline" | grep -qxF -- "$2"; then
			echo "$p"
		fi
	done
}

dockerd_pids() { pids_of dockerd "--pidfile=$PIDFILE"; }
containerd_pids() { pids_of containerd "--config=$CTRD_CONFIG"; }
# containerd-shim-runc-v2 (comm is cut to 15 characters) started by this daemon's containerd.
shim_pids() { pids_of containerd-shim "$CTRD_SOCK"; }

# ---------------------------------------------------------------- ping

ping_daemon() { ping_socket "$SOCK"; }

# ---------------------------------------------------------------- start


write_containerd_config() {
	cat >"$CTRD_CONFIG" <<EOF
# containerd of the dockersdk test daemon, written by scripts/testdaemon.sh
version = 2
root = "$DIR/containerd/root"
state = "$DIR/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$CTRD_SOCK"

[ttrpc]
  address = "$CTRD_SOCK.ttrpc"

[debug]
  address = "$DIR/containerd/debug.sock"

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$DIR/containerd/opt"
EOF
}

tail_logs() {
	if [ -s "$LOG" ]; then
		echo "--- last lines of $LOG (grpc chatter left out):" >&2
		grep -v "module=grpc" "$LOG" | tail -n 20 >&2
	fi
	if [ -s "$CTRD_LOG" ]; then
		echo "--- last lines of $CTRD_LOG:" >&2
		tail -n 5 "$CTRD_LOG" >&2
	fi
}

start_fail() {
	log "$*"
	tail_logs
	do_stop >/dev/null 2>&1 || true
	exit 1
}

# in_own_netns: a dockerd of this state directory runs, and in this daemon's network namespace.
in_own_netns() {
	ino=$(netns_inode "$NETNS") || return 1
	pids=$(dockerd_pids)
	[ -n "$pids" ] || return 1
	for p in $pids; do
		[ "$(pid_netns "$p")" = "$ino" ] || return 1
	done
}

# running: the daemon answers, and (when this script can tell, as root) in its own network namespace; a daemon
# of this state directory that runs elsewhere (started by an older testdaemon.sh) does not count.
running() {
	ping_daemon || return 1
	[ "$(id -u)" = 0 ] || return 0
	[ -z "$(dockerd_pids)" ] && return 0 # answers, but not ours to judge
	in_own_netns && return 0
	[ -n "${told_outside:-}" ] || log "the daemon at $HOST runs outside network namespace $NETNS: restarting it"
	told_outside=1
	return 1
}

cmd_start() {
	if running; then
		log "already running at $HOST (network namespace $NETNS)"
		if [ "$(id -u)" = 0 ] && [ -e "$NETNS_DIR/$NETNS" ]; then
			with_fwd_lock copy_forwarders "$NETNS"
		fi
		echo "$HOST"
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "no daemon answers at $HOST, and starting dockerd needs root (this is uid $(id -u))"
	mkdir -p "$DIR"
	exec 9>"$DIR/lock"
	flock -w 600 9 || die "timed out waiting for $DIR/lock (another start or stop)"
	if running; then
		log "started meanwhile at $HOST"
		echo "$HOST"
		return 0
	fi
	[ ${#SOCK} -lt 100 ] || die "socket path $SOCK is too long for a unix socket; use a shorter DOCKERSDK_DAEMON_DIR"
	if need_install; then
		cmd_install
	fi

	# Leftovers of an earlier run (killed, or not answering) go first, its namespace with them.
	do_stop

	# The daemon's binary and what differs between the flavors. Built ones run with DOCKER_MIN_API_VERSION=1.24,
	# so that every version package of the SDK (1.25 and up) meets them: Docker 29 refuses below 1.40 otherwise.
	dockerd=dockerd
	min_api=
	extra=
	driver=${DOCKERSDK_STORAGE_DRIVER:-}
	case $FLAVOR in
	docker28 | docker29)
		built=$("$(dirname "$0")/build-dockerd.sh" "$FLAVOR") ||
			start_fail "could not build $FLAVOR (scripts/build-dockerd.sh $FLAVOR)"
		dockerd=$(echo "$built" | tail -n 1)
		min_api=1.24
		;;
	esac
	if [ "$FLAVOR" = docker29 ]; then
		# Docker 29 gives containers a time namespace, which Debian's runc 1.1 does not know ("namespace
		# {"time" ""} does not exist"): every start would fail. It keeps its default image store (containerd's
		# snapshotters, as its users run it) unless DOCKERSDK_STORAGE_DRIVER asks for a graph driver.
		extra=--feature=time-namespaces=false
	elif [ -z "$driver" ]; then
		if overlay_works "$DIR"; then driver=overlay2; else driver=vfs; fi
	fi
	storage=
	[ -z "$driver" ] || storage=--storage-driver=$driver

	ip6=
	if "$dockerd" --help 2>&1 | grep -q -- '--ip6tables'; then
		ip6=--ip6tables=false
	fi

	mkdir -p "$DIR/data" "$DIR/exec" "$DIR/containerd"
	[ -f "$CONFIG" ] || echo '{}' >"$CONFIG"
	for f in "$LOG" "$CTRD_LOG"; do
		[ -f "$f" ] && mv -f "$f" "$f.1"
	done
	rm -f "$SOCK" "$PIDFILE" "$CTRD_PIDFILE"

	# The network namespace: lo only, until dockerd adds its bridges; the registries' forwarders, if any run.
	log "creating network namespace $NETNS"
	netns_create "$NETNS"
	with_fwd_lock copy_forwarders "$NETNS"

	write_containerd_config
	log "starting containerd ($CTRD_SOCK)"
	setsid nsenter "--net=$NETNS_DIR/$NETNS" containerd "--config=$CTRD_CONFIG" </dev/null >"$CTRD_LOG" 2>&1 9>&- &
	echo $! >"$CTRD_PIDFILE"
	end=$(($(now) + START_TIMEOUT))
	while [ ! -S "$CTRD_SOCK" ]; do
		alive "$(cat "$CTRD_PIDFILE")" || start_fail "containerd exited at start"
		[ "$(now)" -lt "$end" ] || start_fail "containerd did not create $CTRD_SOCK within ${START_TIMEOUT}s"
		sleep 0.1
	done

	log "starting $FLAVOR dockerd ($HOST, storage ${driver:-containerd snapshotter}, network namespace $NETNS)"
	# Own socket, roots, pidfile, config file and cgroup parent: nothing shared with a host's Docker. Own
	# containerd: dockerd would otherwise use /run/containerd/containerd.sock when it exists. The cgroupfs driver
	# makes the cgroup parent a plain path on every host (systemd's wants a slice name). Its network namespace
	# holds its docker0 and whatever networks tests make, away from the host's; even so, no iptables/ip6tables
	# rules, no masquerading, no ip_forward sysctl (a sysctl of the namespace, but older kernels share some), no
	# docker-proxy. --shutdown-timeout=5 keeps stop quick when tests leave containers running. Fd 9 (the lock) is
	# closed for the daemons so that they do not hold it.
	# shellcheck disable=SC2086 # $ip6, $storage and $extra are empty or one flag
	DOCKER_MIN_API_VERSION=$min_api setsid nsenter "--net=$NETNS_DIR/$NETNS" "$dockerd" \
		"--host=$HOST" \
		"--data-root=$DIR/data" \
		"--exec-root=$DIR/exec" \
		"--pidfile=$PIDFILE" \
		"--config-file=$CONFIG" \
		"--containerd=$CTRD_SOCK" \
		$storage $extra \
		--exec-opt native.cgroupdriver=cgroupfs \
		"--cgroup-parent=$CGROUP_PARENT" \
		--iptables=false $ip6 \
		--ip-masq=false \
		--ip-forward=false \
		--userland-proxy=false \
		--shutdown-timeout=5 \
		</dev/null >"$LOG" 2>&1 9>&- &
	pid=$!
	end=$(($(now) + START_TIMEOUT))
	until ping_daemon; do
		alive "$pid" || start_fail "dockerd exited at start"
		[ "$(now)" -lt "$end" ] || start_fail "dockerd did not answer GET /_ping on $SOCK within ${START_TIMEOUT}s"
		sleep 0.2
	done
	log "dockerd is up (pid $pid, network namespace $NETNS), logs in $LOG"
	echo "$HOST"
}

# ---------------------------------------------------------------- stop

do_stop() {
	# shellcheck disable=SC2046 # one word per pid
	stop_pids dockerd "$STOP_TIMEOUT" $(dockerd_pids)
	# shellcheck disable=SC2046
	stop_pids containerd 10 $(containerd_pids)
	# Shims outlive containerd by design; only a killed dockerd leaves any behind.
	# shellcheck disable=SC2046
	stop_pids containerd-shim 5 $(shim_pids)
	# Then whatever else runs in the namespace (registry forwarders), and the namespace.
	if [ -e "$NETNS_DIR/$NETNS" ]; then
		log "deleting network namespace $NETNS"
		netns_delete "$NETNS"
	fi
	# A bridge device in the host's namespace, made by an older testdaemon.sh (without a namespace of its own).
	if [ -f "$DIR/bridge" ]; then
		br=$(cat "$DIR/bridge")
		if [ -e "/sys/class/net/$br" ]; then
			log "deleting bridge $br (made by an older testdaemon.sh)"
			ip link del "$br" 2>/dev/null || log "could not delete bridge $br"
		fi
		rm -f "$DIR/bridge"
	fi
	if [ -z "$(dockerd_pids)$(containerd_pids)" ]; then
		unmount_under "$DIR"
		# The cgroup parent, in each hierarchy (cgroup v1) or the one (v2), once its containers are gone.
		for c in /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT"; do
			[ -d "$c" ] && { find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
		done
	fi
	rm -f "$SOCK" "$PIDFILE" "$CTRD_PIDFILE"
}

cmd_stop() {
	[ -d "$DIR" ] || return 0
	[ "$(id -u)" = 0 ] || die "stopping the daemon needs root (this is uid $(id -u))"
	exec 9>"$DIR/lock"
	flock -w 600 9 || die "timed out waiting for $DIR/lock (another start or stop)"
	do_stop
}

case ${1:-} in
install) shift; cmd_install "$@" ;;
start) cmd_start ;;
stop) cmd_stop ;;
host) echo "$HOST" ;;
netns) echo "$NETNS" ;;
status)
	if ping_daemon; then
		log "running at $HOST"
	else
		log "not running at $HOST"
		exit 1
	fi
	;;
*)
	echo "usage: $0 install|start|stop|host|status|netns" >&2
	exit 2
	;;
esac
