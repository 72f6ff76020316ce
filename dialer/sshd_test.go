package dialer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSSHEndToEnd reaches a real test daemon through a real sshd on
// loopback: DOCKER_HOST=ssh://dockertest with an ssh config from
// DOCKERSDK_SSH_CONFIG, `docker system dial-stdio` on the far side. It runs
// when DOCKER_TEST_HOST names the daemon (a unix:// address) and
// openssh-server, openssh-client and the docker CLI are installed.
func TestSSHEndToEnd(t *testing.T) {
	daemon := os.Getenv("DOCKER_TEST_HOST")
	if daemon == "" {
		t.Skip("DOCKER_TEST_HOST is not set (e.g. unix:///tmp/dockersdk-daemon/docker.sock from scripts/testdaemon.sh)")
	}
	if !strings.HasPrefix(daemon, "unix://") {
		t.Skipf("DOCKER_TEST_HOST %q is not a unix:// address", daemon)
	}
	leakCheck(t)
	ep := sshdEndpoint(t, daemon)
	c := clientFor(t, ep)
	// Each new connection is an ssh login and a dial-stdio process, about a
	// second here and far more on a loaded machine: the timeout only keeps
	// a hung connection from hanging the test.
	c.Timeout = 2 * time.Minute

	if code, body := get(t, c, ep.BaseURL()+"/_ping"); code != 200 || body != "OK" {
		t.Fatalf("GET /_ping over ssh = %d %q, want 200 OK", code, body)
	}
	code, body := get(t, c, ep.BaseURL()+"/version")
	var v struct{ APIVersion, Version string }
	if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil || v.APIVersion == "" {
		t.Fatalf("GET /version over ssh = %d %q (%v)", code, body, err)
	}
	t.Logf("daemon %s (API %s) over %s", v.Version, v.APIVersion, ep)

	// Concurrent requests share a few ssh connections.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				resp, err := c.Get(ep.BaseURL() + "/_ping")
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSSHStandIn is TestSSHEndToEnd against a stand-in daemon (a unix-socket
// HTTP server in the test), so the real ssh + sshd + dial-stdio path is
// checked wherever openssh-server and the docker CLI are installed, whatever
// DOCKER_TEST_HOST names. It also checks the raw half-closable connection
// used for hijacked requests. Since it starts an sshd, it runs only where
// the daemon tests run (DOCKER_TEST_HOST set, as make test does): go test
// alone starts no server process.
func TestSSHStandIn(t *testing.T) {
	if os.Getenv("DOCKER_TEST_HOST") == "" {
		t.Skip("starts an sshd, so runs only with the daemon tests: DOCKER_TEST_HOST is not set (make test sets it)")
	}
	leakCheck(t)
	srv := startUnixHTTP(t, pingHandler())
	ep := sshdEndpoint(t, "unix://"+srv.Path)

	// Count ssh processes started, by wrapping the transport's dialer (the
	// stand-in's own accept count also sees dial-stdio's version ping).
	tr := ep.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	var dials atomic.Int64
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	for i := 0; i < 3; i++ {
		if code, body := get(t, c, ep.BaseURL()+"/_ping"); code != 200 || body != "OK" {
			t.Fatalf("GET /_ping over ssh to the stand-in = %d %q", code, body)
		}
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("3 sequential requests over ssh started %d ssh processes, want 1", n)
	}

	// Hijack-style use of the raw connection: write a request, half-close,
	// read the answer.
	conn, err := ep.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(conn, "GET /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n")
	if err := conn.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	conn.Close()
	if string(b) != "OK" {
		t.Errorf("raw request over ssh: %q", b)
	}

	// A failing remote command is reported with ssh's stderr.
	bad := *ep
	target := *ep.SSH
	target.RemoteCommand = []string{"docker-no-such-command"}
	bad.SSH = &target
	conn, err = bad.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Read(make([]byte, 1))
	conn.Close()
	if err == nil || !strings.Contains(err.Error(), "exit status 127") || !strings.Contains(err.Error(), "not found") {
		t.Errorf("remote command not found: %v", err)
	}
}

// sshdEndpoint starts sshd on a free loopback port with keys made for the
// test, so that a session's DOCKER_HOST is daemon, and returns an endpoint
// that reaches it through FromEnvironment with DOCKER_HOST=ssh://dockertest
// and DOCKERSDK_SSH_CONFIG. It skips the test when the tools are missing.
func sshdEndpoint(t *testing.T, daemon string) *Endpoint {
	t.Helper()
	sshd := lookTool(t, "sshd", "/usr/sbin/sshd")
	lookTool(t, "ssh", "/usr/bin/ssh")
	keygen := lookTool(t, "ssh-keygen", "/usr/bin/ssh-keygen")
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker CLI not installed (needed for dial-stdio on the sshd side)")
	}
	u, err := user.Current()
	if err != nil {
		t.Skip("no current user:", err)
	}
	if os.Geteuid() == 0 {
		// sshd wants its privilege separation directory (made by the
		// service's tmpfiles on a booted system).
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Skip("cannot create /run/sshd:", err)
		}
	}

	dir := shortTempDir(t)
	for _, k := range []string{"host_key", "client_key"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "dialer-test", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "client_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "authorized_keys"), pub, 0o600)

	port := freePort(t)
	sshdConfig := filepath.Join(dir, "sshd_config")
	writeFile(t, sshdConfig, []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers %s
SetEnv DOCKER_HOST=%s
LogLevel VERBOSE
`, port, filepath.Join(dir, "host_key"), filepath.Join(dir, "authorized_keys"), u.Username, daemon)), 0o600)

	var logs bytes.Buffer
	cmd := exec.Command(sshd, "-D", "-e", "-f", sshdConfig)
	cmd.Stdout = &logs
	cmd.Stderr = &logs
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", logs.String())
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("sshd does not listen on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	sshConfig := filepath.Join(dir, "ssh_config")
	writeFile(t, sshConfig, []byte(fmt.Sprintf(`Host dockertest
  HostName 127.0.0.1
  Port %d
  User %s
  IdentityFile %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  StrictHostKeyChecking accept-new
  BatchMode yes
  LogLevel ERROR
`, port, u.Username, filepath.Join(dir, "client_key"), filepath.Join(dir, "known_hosts"))), 0o600)

	ep, err := FromEnvironment(mapEnv(map[string]string{
		"DOCKER_HOST":          "ssh://dockertest",
		"DOCKERSDK_SSH_CONFIG": sshConfig,
		"HOME":                 dir,
	}))
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func lookTool(t *testing.T, name, fallback string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback
	}
	t.Skipf("%s not installed (apt-get install openssh-server openssh-client)", name)
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
