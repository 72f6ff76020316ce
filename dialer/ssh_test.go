package dialer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as a fake ssh: TestMain runs fakeSSH instead of
// the tests when fakeSSHEnv is set (the child inherits it from t.Setenv).
const (
	fakeSSHEnv     = "DIALER_TEST_FAKE_SSH"    // mode: dial, fail, nocmd, spam, hang
	fakeSocketEnv  = "DIALER_TEST_FAKE_SOCKET" // unix socket the dial mode connects to
	fakeArgsEnv    = "DIALER_TEST_FAKE_ARGS"   // file to record argv in
	fakeStderrLine = "ssh: connect to host box port 22: Connection refused"
)

// fakeSSH behaves like `ssh ... docker system dial-stdio` in the given mode
// and returns the exit code.
func fakeSSH(mode string) int {
	if f := os.Getenv(fakeArgsEnv); f != "" {
		os.WriteFile(f, []byte(strings.Join(os.Args[1:], "\n")), 0o600)
	}
	switch mode {
	case "dial": // like dial-stdio: pipe stdin/stdout to the socket
		conn, err := net.Dial("unix", os.Getenv(fakeSocketEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake ssh:", err)
			return 1
		}
		go func() {
			io.Copy(conn, os.Stdin)
			conn.(*net.UnixConn).CloseWrite()
		}()
		io.Copy(os.Stdout, conn)
		return 0
	case "fail":
		fmt.Fprintln(os.Stderr, "Warning: noise before the real error")
		fmt.Fprintln(os.Stderr, fakeStderrLine)
		return 255
	case "nocmd":
		fmt.Fprintln(os.Stderr, "bash: line 1: docker: command not found")
		return 127
	case "spam":
		line := strings.Repeat("x", 99) + "\n"
		for i := 0; i < 1000; i++ {
			os.Stderr.WriteString(line)
		}
		fmt.Fprintln(os.Stderr, "last line")
		return 1
	case "hang":
		time.Sleep(time.Hour)
		return 0
	}
	fmt.Fprintln(os.Stderr, "fake ssh: unknown mode", mode)
	return 2
}

// fakeSSHEndpoint returns an ssh endpoint whose ssh is this test binary in
// the given mode.
func fakeSSHEndpoint(t *testing.T, mode string) *Endpoint {
	t.Helper()
	t.Setenv(fakeSSHEnv, mode)
	t.Setenv("GORACE", "atexit_sleep_ms=0") // a -race child otherwise lingers 1s at exit
	ep, err := Parse("ssh://me@box:2222")
	if err != nil {
		t.Fatal(err)
	}
	ep.SSH.Binary = os.Args[0]
	return ep
}

func TestSSHCommand(t *testing.T) {
	dialStdio := []string{"docker", "system", "dial-stdio"}
	tests := []struct {
		target  SSHTarget
		timeout time.Duration
		want    []string
		str     string
	}{
		{SSHTarget{Host: "box"}, 0, append([]string{"ssh", "-T", "--", "box"}, dialStdio...), "box"},
		{SSHTarget{User: "me", Host: "box", Port: "2222"}, 1500 * time.Millisecond,
			append([]string{"ssh", "-o", "ConnectTimeout=2", "-T", "-l", "me", "-p", "2222", "--", "box"}, dialStdio...), "me@box:2222"},
		{SSHTarget{Host: "::1", Port: "22"}, 10 * time.Second,
			append([]string{"ssh", "-o", "ConnectTimeout=10", "-T", "-p", "22", "--", "::1"}, dialStdio...), "[::1]:22"},
		{SSHTarget{Host: "fe80::1"}, time.Millisecond,
			append([]string{"ssh", "-o", "ConnectTimeout=1", "-T", "--", "fe80::1"}, dialStdio...), "[fe80::1]"},
		{SSHTarget{User: "me", Host: "alias", ExtraArgs: []string{"-F", "/cfg"}, Binary: "/usr/bin/ssh",
			RemoteCommand: []string{"docker", "--context", "x", "system", "dial-stdio"}}, 0,
			[]string{"/usr/bin/ssh", "-F", "/cfg", "-T", "-l", "me", "--", "alias", "docker", "--context", "x", "system", "dial-stdio"}, "me@alias"},
	}
	for _, tt := range tests {
		if got := tt.target.Command(tt.timeout); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v.Command(%v) =\n %q\nwant\n %q", tt.target, tt.timeout, got, tt.want)
		}
		if got := tt.target.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.target, got, tt.str)
		}
	}

	// From a DOCKER_HOST with the ssh config variable.
	ep, err := FromEnvironment(mapEnv(map[string]string{
		"DOCKER_HOST": "ssh://me@box:2222", "DOCKERSDK_SSH_CONFIG": "/tmp/cfg", "HOME": t.TempDir(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"ssh", "-F", "/tmp/cfg", "-T", "-l", "me", "-p", "2222", "--", "box"}, dialStdio...)
	if got := ep.SSH.Command(0); !reflect.DeepEqual(got, want) {
		t.Errorf("Command() = %q, want %q", got, want)
	}
}

// TestSSHDialArgs checks the argv the ssh process really gets, including
// the ConnectTimeout taken from the context's deadline.
func TestSSHDialArgs(t *testing.T) {
	leakCheck(t)
	ep := fakeSSHEndpoint(t, "fail")
	argsFile := filepath.Join(t.TempDir(), "args")
	t.Setenv(fakeArgsEnv, argsFile)
	ctx, cancel := context.WithTimeout(context.Background(), 9500*time.Millisecond)
	defer cancel()
	c, err := ep.DialContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(c) // until the fake exits
	c.Close()
	b, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-o", "ConnectTimeout=10", "-T", "-l", "me", "-p", "2222", "--", "box", "docker", "system", "dial-stdio"}
	if got := strings.Split(string(b), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("ssh got args %q, want %q", got, want)
	}
}

// TestSSHHTTP runs HTTP over the command connection: the fake ssh pipes to a
// unix-socket server, as dial-stdio does on the far side.
func TestSSHHTTP(t *testing.T) {
	leakCheck(t)
	var hosts []string
	srv := startUnixHTTP(t, pingHandler())
	ep := fakeSSHEndpoint(t, "dial")
	t.Setenv(fakeSocketEnv, srv.Path)
	if tr := ep.Transport(); tr.Proxy != nil || tr.MaxIdleConnsPerHost != SSHIdleConns {
		t.Errorf("ssh transport: Proxy set %v, MaxIdleConnsPerHost %d", tr.Proxy != nil, tr.MaxIdleConnsPerHost)
	}
	c := clientFor(t, ep)
	for i := 0; i < 5; i++ {
		resp, err := c.Get(ep.BaseURL() + "/_ping")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		hosts = append(hosts, resp.Request.Host)
		if string(b) != "OK" {
			t.Fatalf("GET /_ping over fake ssh = %q, want OK", b)
		}
	}
	if n := srv.Accepts.Load(); n != 1 {
		t.Errorf("5 sequential requests started %d ssh connections, want 1 (reused)", n)
	}
}

// TestSSHHalfClose checks CloseWrite closes ssh's stdin (the daemon sees
// EOF) while the reply can still be read, as hijacked attach/exec need.
func TestSSHHalfClose(t *testing.T) {
	leakCheck(t)
	ln, err := net.Listen("unix", filepath.Join(shortTempDir(t), "echo.sock"))
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		b, err := io.ReadAll(c) // until the client's CloseWrite
		if err == nil {
			_, err = c.Write(append([]byte("got:"), b...))
		}
		served <- err
	}()
	defer ln.Close()

	ep := fakeSSHEndpoint(t, "dial")
	t.Setenv(fakeSocketEnv, ln.Addr().String())
	c, err := ep.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok {
		t.Fatalf("%T has no CloseWrite", c)
	}
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "got:hello" {
		t.Errorf("after CloseWrite read %q, %v; want got:hello, nil", b, err)
	}
	if err := <-served; err != nil {
		t.Errorf("server: %v", err)
	}
	if c.RemoteAddr().Network() != "ssh" || c.RemoteAddr().String() != "me@box:2222" {
		t.Errorf("RemoteAddr = %s %s", c.RemoteAddr().Network(), c.RemoteAddr())
	}
}

// TestSSHErrors checks that a failing ssh reports its exit status and
// (bounded) stderr instead of a bare EOF.
func TestSSHErrors(t *testing.T) {
	tests := []struct {
		mode string
		want []string
	}{
		{"fail", []string{"ssh to me@box:2222", "exit status 255", fakeStderrLine}},
		{"nocmd", []string{"exit status 127", "command not found", "Docker 18.09"}},
		{"spam", []string{"exit status 1", "last line", "..."}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			leakCheck(t)
			ep := fakeSSHEndpoint(t, tt.mode)
			c, err := ep.DialContext(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(c)
			c.Close()
			if err == nil {
				t.Fatal("read from failed ssh: no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if len(err.Error()) > stderrLimit+512 {
				t.Errorf("error is %d bytes; stderr is not bounded", len(err.Error()))
			}

			// Through HTTP too.
			c2 := clientFor(t, ep)
			_, err = c2.Get(ep.BaseURL() + "/_ping")
			if err == nil || !strings.Contains(err.Error(), tt.want[1]) {
				t.Errorf("GET over failed ssh: %v; want an error containing %q", err, tt.want[1])
			}
		})
	}
}

// TestSSHClose checks that Close kills a process that would run forever,
// waits for it, and that read deadlines work on the pipes.
func TestSSHClose(t *testing.T) {
	leakCheck(t)
	ep := fakeSSHEndpoint(t, "hang")
	c, err := ep.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cc := c.(*cmdConn)

	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("read past deadline: %v, want a timeout", err)
	}
	c.SetDeadline(time.Time{})

	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %v", d)
	}
	select {
	case <-cc.proc.done:
	default:
		t.Fatal("Close returned before the process was waited for")
	}
	if cc.proc.exitCode != -1 || !strings.Contains(fmt.Sprint(cc.proc.waitErr), "killed") {
		t.Errorf("process ended with %v (exit code %d), want killed", cc.proc.waitErr, cc.proc.exitCode)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("Read after Close succeeded")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestSSHDialContext(t *testing.T) {
	leakCheck(t)
	ep := fakeSSHEndpoint(t, "hang")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ep.DialContext(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := ep.DialContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired ctx: %v, want context.DeadlineExceeded", err)
	}

	ep.SSH.Binary = "dialer-test-no-such-ssh"
	_, err := ep.DialContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "OpenSSH client") {
		t.Errorf("missing ssh binary: %v, want a hint to install OpenSSH", err)
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 8}
	b.Write([]byte("abc"))
	if b.String() != "abc" {
		t.Errorf("got %q", b.String())
	}
	b.Write([]byte("defghij"))
	if b.String() != "...cdefghij" {
		t.Errorf("got %q, want ...cdefghij", b.String())
	}
	b.Write([]byte("0123456789"))
	if b.String() != "...23456789" {
		t.Errorf("got %q, want ...23456789", b.String())
	}
}
