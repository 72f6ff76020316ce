// Package testdaemon gives tests a real Docker daemon and registry on this machine.
//
// Host starts (once per test binary) the private daemon of scripts/testdaemon.sh: Debian's dockerd with its own
// socket, data root and containerd under /tmp/dockersdk-daemon, never the host's /var/run/docker.sock. Registry
// does the same for scripts/registry.sh (Debian's docker-registry on 127.0.0.1:5000). BusyboxRootfs builds the
// tar that tests import as the image busybox:latest.
//
// When the daemon cannot be had (not root, no apt-get, dockerd fails), Host and Registry skip the test and say
// why; with DOCKERSDK_REQUIRE_DAEMON=1 (CI) they fail it instead. DOCKER_TEST_HOST and DOCKER_TEST_REGISTRY name
// a daemon and a registry to use instead of starting the private ones.
//
// The package uses the standard library only and is meant for tests.
package testdaemon

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment variables read by Host and Registry.
const (
	// EnvHost names a daemon to use instead of starting the private one, e.g. unix:///var/run/docker.sock.
	EnvHost = "DOCKER_TEST_HOST"
	// EnvRegistry names a registry (host:port) to use instead of starting the private one.
	EnvRegistry = "DOCKER_TEST_REGISTRY"
	// EnvRequire set to 1 turns "no daemon" from a skip into a failure. CI sets it.
	EnvRequire = "DOCKERSDK_REQUIRE_DAEMON"
)

// modulePath identifies the repository root: the folder whose go.mod declares this module.
const modulePath = "github.com/dockerclient/docker"

// scriptTimeout bounds one run of a script; start may apt-get install first.
const scriptTimeout = 10 * time.Minute

type started struct {
	value string
	err   error
}

var (
	daemonOnce   sync.Once
	daemon       started
	registryOnce sync.Once
	registry     started
)

// Host returns the address of the Docker daemon for tests: $DOCKER_TEST_HOST when set, otherwise the private
// daemon of scripts/testdaemon.sh, started on first use (a no-op when it already runs) and left running, as
// "unix:///tmp/dockersdk-daemon/docker.sock" by default.
func Host(t testing.TB) string {
	t.Helper()
	host, err := Start()
	if err != nil {
		unavailable(t, "Docker daemon", EnvHost, err)
	}
	return host
}

// Start is Host for a TestMain, which has no testing.TB: it returns the
// daemon's address, or why there is none.
func Start() (string, error) {
	if h := os.Getenv(EnvHost); h != "" {
		return h, nil
	}
	daemonOnce.Do(func() {
		daemon.value, daemon.err = runScript("testdaemon.sh", "start")
		if daemon.err == nil && !strings.HasPrefix(daemon.value, "unix://") {
			daemon.err = fmt.Errorf("scripts/testdaemon.sh start printed %q, not a unix:// address", daemon.value)
		}
	})
	return daemon.value, daemon.err
}

// Registry returns the host:port of a registry for tests: $DOCKER_TEST_REGISTRY when set, otherwise the private
// registry of scripts/registry.sh, started on first use and left running, "127.0.0.1:5000". It serves plain
// HTTP without auth; a daemon treats 127.0.0.0/8 registries as insecure, so push and pull need no set-up.
func Registry(t testing.TB) string {
	t.Helper()
	if r := os.Getenv(EnvRegistry); r != "" {
		return r
	}
	registryOnce.Do(func() {
		registry.value, registry.err = runScript("registry.sh", "start")
		if registry.err == nil && !strings.Contains(registry.value, ":") {
			registry.err = fmt.Errorf("scripts/registry.sh start printed %q, not a host:port", registry.value)
		}
	})
	if registry.err != nil {
		unavailable(t, "registry", EnvRegistry, registry.err)
	}
	return registry.value
}

// SocketPath returns the file system path of a unix:// host ("unix:///run/x.sock" gives "/run/x.sock"); any
// other string is returned unchanged.
func SocketPath(host string) string {
	return strings.TrimPrefix(host, "unix://")
}

func unavailable(t testing.TB, what, env string, err error) {
	t.Helper()
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("testdaemon: no %s for tests, and %s=1 requires one: %v", what, EnvRequire, err)
	}
	t.Skipf("testdaemon: skipping, no %s for tests (run as root on Debian so scripts/ can install and start one, "+
		"or set %s; %s=1 makes this a failure): %v", what, env, EnvRequire, err)
}

// runScript runs scripts/NAME from the repository root with sh and returns the last line it printed on stdout.
func runScript(name string, args ...string) (string, error) {
	if runtime.GOOS != "linux" {
		return "", fmt.Errorf("scripts/%s runs on Linux only, this is %s", name, runtime.GOOS)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := findRepoRoot(wd)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	script := filepath.Join(root, "scripts", name)
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{script}, args...)...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	// The script leaves daemons running; they must not hold our pipes open, but do not wait forever if one does.
	cmd.WaitDelay = 10 * time.Second
	what := "scripts/" + name + " " + strings.Join(args, " ")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v\n%s", what, err, tail(stderr.String(), 30))
	}
	line := lastLine(stdout.String())
	if line == "" {
		return "", fmt.Errorf("%s printed nothing on stdout\n%s", what, tail(stderr.String(), 30))
	}
	return line, nil
}

// findRepoRoot walks up from dir to the folder whose go.mod declares the module github.com/dockerclient/docker.
func findRepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if isModuleRoot(filepath.Join(d, "go.mod")) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod of module %s in %s or above", modulePath, dir)
		}
		d = parent
	}
}

func isModuleRoot(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == modulePath
		}
	}
	return false
}

// lastLine returns the last non-empty line of s, trimmed.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
