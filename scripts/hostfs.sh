# shellcheck shell=sh
# Sourced by testdaemon.sh and podman.sh (which define log): what a private daemon needs of the host's file
# system. Variables of the functions here start with _ (sh has no local variables).

# busybox_static: /bin/busybox exists and needs no dynamic loader (a dynamic one would not run in a bare rootfs).
busybox_static() {
	[ -x /bin/busybox ] || return 1
	if command -v ldd >/dev/null 2>&1 && ldd /bin/busybox >/dev/null 2>&1; then
		return 1
	fi
	return 0
}

# overlay_works DIR: an overlay mount succeeds inside DIR (where the daemon keeps its images).
overlay_works() {
	_d=$1/overlay-probe
	umount "$_d/merged" 2>/dev/null || true
	rm -rf "$_d"
	mkdir -p "$_d/lower" "$_d/upper" "$_d/work" "$_d/merged"
	echo probe >"$_d/lower/file"
	_ok=1
	if mount -t overlay overlay -o "lowerdir=$_d/lower,upperdir=$_d/upper,workdir=$_d/work" "$_d/merged" 2>/dev/null; then
		[ "$(cat "$_d/merged/file" 2>/dev/null)" = probe ] && _ok=0
		umount "$_d/merged" 2>/dev/null || true
	fi
	rm -rf "$_d"
	return $_ok
}

# unmount_under DIR: unmount whatever a killed daemon left mounted below DIR (its data root bind-mounted on
# itself, overlay layers, netns and shm files), deepest first.
unmount_under() {
	[ -r /proc/self/mountinfo ] || return 0
	awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r _m; do
		umount "$_m" 2>/dev/null || umount -l "$_m" 2>/dev/null || log "could not unmount $_m"
	done
}
