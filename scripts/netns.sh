# shellcheck shell=sh
# Sourced by testdaemon.sh and registry.sh (which define log and die): processes, network namespaces of their
# own for the test daemons and registries, and the forwarders that let a daemon reach a registry from inside its
# namespace. Variables of the functions here start with _ (sh has no local variables).
#
# Nothing a test does may send traffic off this machine, and a daemon resolves registry-1.docker.io on its own
# (a swarm service makes it), so every test daemon and registry runs in a network namespace that has only `lo`
# (and, for a daemon, the bridges dockerd makes in it): a lookup or a connection to anything but loopback fails
# there at once. The namespace is `ip netns add NAME`; processes enter it with `nsenter --net=/run/netns/NAME`
# (not `ip netns exec`, which remounts /sys and breaks runc on cgroup v1). Daemons' namespaces are named
# dsdk-HASH, registries' dsdkreg-HASH, HASH from the state directory, so two directories never share one.
#
# A registry listens on a unix socket, which every namespace reaches through the file system. A sockforward
# (internal/cmd/sockforward) makes it answer at its TCP address (127.0.0.1:5000) in the host's namespace and
# another one does the same inside each daemon's namespace, so that dockerd pushes to 127.0.0.1:5000/... as to
# any loopback registry, without insecure-registry configuration. The order of starts does not matter:
#   - registry.sh start runs the host forwarder, then a copy in every dsdk-* namespace that exists;
#   - testdaemon.sh start makes its namespace, then copies every forwarder of the host namespace into it (its
#     command line names the address and the socket);
# both under FWD_LOCK, and a copy is started only where none with the same address and socket runs yet.
# Stopping a registry stops all its forwarders; stopping a daemon stops every process left in its namespace
# (its copies of the forwarders among them) and deletes the namespace.

FWD_LOCK=/tmp/dockersdk-forward.lock
NETNS_DIR=/run/netns

now() { date +%s; }

# alive PID...: one of them runs (a zombie, which no parent reaps on some machines, counts as gone).
alive() {
	for _a in "$@"; do
		_state=$(sed "s/.*) //" "/proc/$_a/stat" 2>/dev/null | cut -d" " -f1) || true
		[ -n "$_state" ] && [ "$_state" != Z ] && [ "$_state" != X ] && return 0
	done
	return 1
}

# stop_pids NAME TIMEOUT PID...: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL.
stop_pids() {
	_name=$1 _timeout=$2
	shift 2
	[ $# -gt 0 ] || return 0
	log "stopping $_name (pid $*)"
	kill -TERM "$@" 2>/dev/null || true
	_end=$(($(now) + _timeout))
	while alive "$@" && [ "$(now)" -lt "$_end" ]; do
		sleep 0.2
	done
	if alive "$@"; then
		log "$_name did not exit within ${_timeout}s, sending SIGKILL"
		kill -KILL "$@" 2>/dev/null || true
		_end=$(($(now) + 10))
		while alive "$@" && [ "$(now)" -lt "$_end" ]; do
			sleep 0.2
		done
	fi
}

# netns_name PREFIX DIR: PREFIX-HASH, HASH the first 12 hex digits of the SHA-256 of DIR.
netns_name() {
	printf '%s-%s\n' "$1" "$(printf '%s' "$2" | sha256sum | cut -c1-12)"
}

# pid_netns PID: the inode number of the network namespace PID runs in.
pid_netns() {
	_l=$(readlink "/proc/$1/ns/net" 2>/dev/null) || return 1
	_l=${_l#net:\[}
	echo "${_l%\]}"
}

# netns_inode NAME: the inode number of the named namespace (fails when there is none).
netns_inode() {
	[ -e "$NETNS_DIR/$1" ] || return 1
	stat -L -c %i "$NETNS_DIR/$1" 2>/dev/null
}

# pids_in_netns NAME: the processes running in the named namespace.
pids_in_netns() {
	_ino=$(netns_inode "$1") || return 0
	# shellcheck disable=SC2012 # names are /proc/PID/ns/net
	for _p in $(ls -l /proc/[0-9]*/ns/net 2>/dev/null | sed -n "s|.* /proc/\([0-9]*\)/ns/net -> net:\[$_ino\]\$|\1|p"); do
		alive "$_p" && echo "$_p"
	done
	return 0
}

# pids_named COMM: the processes whose name (/proc/PID/comm, at most 15 characters) is COMM.
pids_named() {
	grep -lxF -- "$1" /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3
}

# netns_create NAME: a fresh namespace with `lo` up (one left over is deleted first).
netns_create() {
	command -v ip >/dev/null 2>&1 || die "'ip' (Debian package iproute2) is missing: it makes the network namespaces"
	command -v nsenter >/dev/null 2>&1 || die "'nsenter' (Debian package util-linux) is missing"
	netns_delete "$1"
	ip netns add "$1" || die "ip netns add $1 failed"
	nsenter "--net=$NETNS_DIR/$1" ip link set lo up || die "cannot bring lo up in network namespace $1"
}

# netns_delete NAME: stop what still runs in the namespace (TERM, then KILL), then delete it.
netns_delete() {
	[ -e "$NETNS_DIR/$1" ] || return 0
	# shellcheck disable=SC2046 # one word per pid
	stop_pids "processes left in network namespace $1" 5 $(pids_in_netns "$1")
	ip netns del "$1" 2>/dev/null || log "could not delete network namespace $1"
}

# in_netns NAME CMD...: run CMD inside the namespace (NAME empty: here).
in_netns() {
	_ns=$1
	shift
	if [ -n "$_ns" ]; then
		nsenter "--net=$NETNS_DIR/$_ns" "$@"
	else
		"$@"
	fi
}

# http_status NETNS URL: the HTTP status of GET URL, asked from inside NETNS (empty: here); 000 when none.
http_status() {
	if command -v curl >/dev/null 2>&1; then
		in_netns "$1" curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$2" 2>/dev/null || true
	else
		# shellcheck disable=SC2016 # perl's variables, not the shell's
		in_netns "$1" perl -MIO::Socket::INET -e '
			$SIG{ALRM} = sub { print "000"; exit 0 }; alarm 5;
			my ($hp, $path) = $ARGV[0] =~ m{^http://([^/]+)(.*)$} or do { print "000"; exit 0 };
			my $s = IO::Socket::INET->new(PeerAddr => $hp) or do { print "000"; exit 0 };
			print $s "GET $path HTTP/1.0\r\nHost: $hp\r\n\r\n";
			my $l = <$s>;
			print(defined $l && $l =~ m{\AHTTP/1\.[01] (\d\d\d) } ? $1 : "000");
		' "$2" 2>/dev/null || true
	fi
}

# ping_socket SOCK: GET /_ping on the Docker API at unix socket SOCK answers OK (curl, else the docker CLI, else
# perl: whichever the machine has).
ping_socket() {
	[ -S "$1" ] || return 1
	if command -v curl >/dev/null 2>&1; then
		[ "$(curl -sf --max-time 5 --unix-socket "$1" http://localhost/_ping 2>/dev/null)" = OK ]
	elif command -v docker >/dev/null 2>&1; then
		DOCKER_HOST=unix://$1 docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1
	else
		perl -MIO::Socket::UNIX -e '
			$SIG{ALRM} = sub { exit 1 }; alarm 5;
			my $s = IO::Socket::UNIX->new(Peer => $ARGV[0], Type => SOCK_STREAM) or exit 1;
			print $s "GET /_ping HTTP/1.0\r\nHost: localhost\r\n\r\n";
			local $/; my $r = <$s>;
			exit($r =~ m{\AHTTP/1\.[01] 200 } && $r =~ m{\r\n\r\nOK\z} ? 0 : 1);
		' "$1" 2>/dev/null
	fi
}

# registry_answers NETNS ADDR: GET http://ADDR/v2/ gets 200, or 401 when auth is on, from inside NETNS.
registry_answers() {
	case $(http_status "$1" "http://$2/v2/") in
	200 | 401) return 0 ;;
	*) return 1 ;;
	esac
}

# forwarder_pids [NETNS]: sockforward processes, all of them or those in the namespace NETNS ("-": this one).
forwarder_pids() {
	_want=
	if [ "${1:-}" = - ]; then
		_want=$(pid_netns $$)
	elif [ -n "${1:-}" ]; then
		_want=$(netns_inode "$1") || return 0
	fi
	for _p in $(pids_named sockforward); do
		alive "$_p" || continue
		[ -z "$_want" ] || [ "$(pid_netns "$_p")" = "$_want" ] || continue
		echo "$_p"
	done
	return 0
}

# forwarder_arg PID NAME: the value of the forwarder's -NAME=VALUE argument.
forwarder_arg() {
	tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | sed -n "s/^-$2=//p" | head -n 1
}

# start_forwarder NETNS BIN ADDR SOCK LOG: run BIN -listen=ADDR -to=SOCK inside NETNS ("-": here), unless one
# with these arguments already runs there; its output goes to LOG. Call with FWD_LOCK held.
start_forwarder() {
	for _f in $(forwarder_pids "$1"); do
		[ "$(forwarder_arg "$_f" listen)" = "$3" ] && [ "$(forwarder_arg "$_f" to)" = "$4" ] && return 0
	done
	if [ "$1" = - ]; then
		echo "$(date '+%Y/%m/%d %H:%M:%S') starting $3 -> unix:$4 in the host's network namespace" >>"$5"
		setsid "$2" "-listen=$3" "-to=$4" </dev/null >>"$5" 2>&1 7>&- 8>&- 9>&- &
	else
		echo "$(date '+%Y/%m/%d %H:%M:%S') starting $3 -> unix:$4 in network namespace $1" >>"$5"
		setsid nsenter "--net=$NETNS_DIR/$1" "$2" "-listen=$3" "-to=$4" </dev/null >>"$5" 2>&1 7>&- 8>&- 9>&- &
	fi
}

# daemon_netns: the namespaces of the test daemons (dsdk-*).
daemon_netns() {
	[ -d "$NETNS_DIR" ] || return 0
	for f in "$NETNS_DIR"/dsdk-*; do
		[ -e "$f" ] && echo "${f##*/}"
	done
	return 0
}

# with_fwd_lock CMD...: run CMD holding FWD_LOCK.
with_fwd_lock() {
	(
		flock -w 120 7 || die "timed out waiting for $FWD_LOCK"
		"$@"
	) 7>"$FWD_LOCK"
}

# copy_forwarders NETNS: start, inside NETNS, a copy of every forwarder of this (the host's) namespace, and wait
# for each registry to answer there. Call with FWD_LOCK held.
copy_forwarders() {
	for _c in $(forwarder_pids -); do
		_bin=$(readlink "/proc/$_c/exe" 2>/dev/null) || continue
		_bin=${_bin% (deleted)}
		_addr=$(forwarder_arg "$_c" listen)
		_sock=$(forwarder_arg "$_c" to)
		if [ ! -x "$_bin" ] || [ -z "$_addr" ] || [ -z "$_sock" ]; then
			continue
		fi
		start_forwarder "$1" "$_bin" "$_addr" "$_sock" "${_sock%/*}/sockforward.log"
		wait_registry "$1" "$_addr" 10 || log "the registry at $_addr does not answer inside network namespace $1"
	done
}

# wait_registry NETNS ADDR SECONDS: wait until the registry at ADDR answers inside NETNS ("-": here).
wait_registry() {
	_wns=$1
	[ "$_wns" = - ] && _wns=
	_wend=$(($(now) + $3))
	until registry_answers "$_wns" "$2"; do
		[ "$(now)" -lt "$_wend" ] || return 1
		sleep 0.1
	done
}
