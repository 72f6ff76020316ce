# shellcheck shell=sh
# Sourced by testdaemon.sh, build-dockerd.sh and e2e-matrix.sh: the daemons the tests run against, pinned here
# and nowhere else. A new Docker release is a change of one line below.
#
#   docker20  Debian 12's docker.io (dockerd 20.10, API 1.12-1.41), from apt
#   docker28  Docker 28 (API 1.24-1.51), built from the Go module proxy: the module has no go.mod, so its
#             vendor.mod is used as one
#   docker29  Docker 29 (API 1.24-1.56 with DOCKER_MIN_API_VERSION=1.24), built from the Go module proxy
#   podman    Debian 12's podman (4.3, Docker-compatible API 1.41), from apt: scripts/podman.sh
#
# Built daemons are cached under $DOCKERSDK_CACHE (default /var/cache/dockersdk), one folder per pinned
# version, so a second run starts in seconds; a changed pin builds into a new folder.

DOCKER28_MODULE=github.com/docker/docker
DOCKER28_VERSION=v28.5.2+incompatible
DOCKER29_MODULE=github.com/moby/moby/v2
DOCKER29_VERSION=v2.0.0-beta.24

# What the built daemons report as their version (/version's Version; a build outside Docker's release scripts
# says "library-import"). The Go module's versions do not name the Engine release: Docker 29's says its major
# version and the module version it was built from.
DOCKER28_LABEL=28.5.2
DOCKER29_LABEL="29.x (moby $DOCKER29_VERSION)"

# The build tags of Docker's static builds: no cgo (netgo, osusergo), no btrfs headers; Docker 29 leaves out
# NRI's WebAssembly plugins.
DOCKER28_TAGS="netgo osusergo static_build exclude_graphdriver_btrfs"
DOCKER29_TAGS="netgo osusergo static_build nri_no_wasm exclude_graphdriver_btrfs"

# The order make e2e-matrix runs them in.
MATRIX_DAEMONS="docker20 docker29 docker28 podman"

DOCKERSDK_CACHE=${DOCKERSDK_CACHE:-/var/cache/dockersdk}

# dockerd_cache NAME: the folder a built daemon's binary lives in (dockerd inside it, so that its process name
# stays dockerd).
dockerd_cache() {
	case $1 in
	docker28) echo "$DOCKERSDK_CACHE/docker28-$DOCKER28_VERSION" ;;
	docker29) echo "$DOCKERSDK_CACHE/docker29-$DOCKER29_VERSION" ;;
	*) return 1 ;;
	esac
}
