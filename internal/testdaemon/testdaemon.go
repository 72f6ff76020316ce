// Package testdaemon gives tests the real Docker daemon and registry that the environment names.
//
// Host returns $DOCKER_TEST_HOST and Registry returns $DOCKER_TEST_REGISTRY. When the variable is unset the
// test is skipped, saying how to run it: `make test` (and .ci/run) start the private daemon of
// scripts/testdaemon.sh (Debian's dockerd with its own socket, data root and containerd under
// /tmp/dockersdk-daemon, in a network namespace of its own) and the registry of scripts/registry.sh
// (Debian's docker-registry at 127.0.0.1:5000) and set both; by hand:
//
//	export DOCKER_TEST_HOST=$(scripts/testdaemon.sh start | tail -n 1)
//	export DOCKER_TEST_REGISTRY=$(scripts/registry.sh start | tail -n 1)
//
// The package itself never installs or starts anything, so `go test ./...` without those variables runs only
// the tests that need neither. With DOCKERSDK_REQUIRE_DAEMON=1 (CI) a missing variable fails the test instead of
// skipping it. BusyboxRootfs builds the tar that tests import as the image busybox:latest.
//
// The package uses the standard library only and is meant for tests.
package testdaemon

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Environment variables read by Host and Registry.
const (
	// EnvHost names the daemon tests use, e.g. unix:///tmp/dockersdk-daemon/docker.sock.
	EnvHost = "DOCKER_TEST_HOST"
	// EnvRegistry names the registry (host:port) tests push to and pull from, e.g. 127.0.0.1:5000.
	EnvRegistry = "DOCKER_TEST_REGISTRY"
	// EnvRequire set to 1 turns "no daemon" (or "no registry") from a skip into a failure. CI sets it.
	EnvRequire = "DOCKERSDK_REQUIRE_DAEMON"
)

// Host returns the address of the Docker daemon for tests, $DOCKER_TEST_HOST. When it is unset, Host skips the
// test and says how to run it (or fails it, with DOCKERSDK_REQUIRE_DAEMON=1).
func Host(t testing.TB) string {
	t.Helper()
	host, err := Start()
	if err != nil {
		unavailable(t, err)
	}
	return host
}

// Start is Host for a TestMain, which has no testing.TB: it returns $DOCKER_TEST_HOST, or an error saying how
// to name a daemon. It starts nothing; the name is kept for its callers.
func Start() (string, error) {
	if h := os.Getenv(EnvHost); h != "" {
		return h, nil
	}
	return "", fmt.Errorf("no Docker daemon for tests: %s is not set; run `make test`, which starts the private "+
		"daemon (scripts/testdaemon.sh) and sets it, or set it yourself, e.g. "+
		"%s=$(scripts/testdaemon.sh start | tail -n 1)", EnvHost, EnvHost)
}

// Registry returns the host:port of the registry for tests, $DOCKER_TEST_REGISTRY, such as 127.0.0.1:5000 from
// scripts/registry.sh: plain HTTP without auth on loopback, which a daemon treats as insecure, so push and pull
// need no set-up. When it is unset, Registry skips the test and says how to run it (or fails it, with
// DOCKERSDK_REQUIRE_DAEMON=1).
func Registry(t testing.TB) string {
	t.Helper()
	if r := os.Getenv(EnvRegistry); r != "" {
		return r
	}
	unavailable(t, fmt.Errorf("no registry for tests: %s is not set; run `make test`, which starts the private "+
		"registry (scripts/registry.sh) and sets it, or set it yourself, e.g. "+
		"%s=$(scripts/registry.sh start | tail -n 1)", EnvRegistry, EnvRegistry))
	return ""
}

// SocketPath returns the file system path of a unix:// host ("unix:///run/x.sock" gives "/run/x.sock"); any
// other string is returned unchanged.
func SocketPath(host string) string {
	return strings.TrimPrefix(host, "unix://")
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("testdaemon: %v (%s=1 requires one)", err, EnvRequire)
	}
	t.Skipf("testdaemon: skipping, %v (%s=1 makes this a failure)", err, EnvRequire)
}
