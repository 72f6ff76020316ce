# shellcheck shell=sh
# Sourced by testdaemon.sh and registry.sh (which define log, die and
# APT_LOCK): one way to install Debian packages for the tests.

# apt_install PKG...: apt-get update and install, quietly, without starting the packages' system services
# (a policy-rc.d that denies starts is put in place for the install when none exists).
apt_install() {
	[ "$(id -u)" = 0 ] || die "installing $* needs root (apt-get); run: sudo $0 install"
	command -v apt-get >/dev/null 2>&1 || die "no apt-get on this machine: install $* by hand"
	(
		flock -w 900 8 || die "timed out waiting for $APT_LOCK"
		made_policy=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\n# put here by dockersdk scripts while installing\nexit 101\n' >/usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			made_policy=1
			trap 'rm -f /usr/sbin/policy-rc.d' EXIT INT TERM
		fi
		export DEBIAN_FRONTEND=noninteractive
		log "apt-get update"
		apt-get -qq -o DPkg::Lock::Timeout=600 update >&2 || die "apt-get update failed"
		log "apt-get install $*"
		apt-get -qq -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "$@" >&2 </dev/null ||
			die "apt-get install $* failed"
		if [ -n "$made_policy" ]; then
			rm -f /usr/sbin/policy-rc.d
			trap - EXIT INT TERM
		fi
	) 8>"$APT_LOCK"
}

