package dialer

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestTransportSettings(t *testing.T) {
	for _, host := range []string{"unix:///x.sock", "npipe:////./pipe/docker_engine", "ssh://box", "fd://", "tcp://h:2375", "https://h"} {
		ep, err := Parse(host)
		if err != nil {
			t.Fatal(err)
		}
		tr := ep.Transport()
		if tr.ForceAttemptHTTP2 || !tr.DisableCompression || tr.IdleConnTimeout <= 0 || tr.IdleConnTimeout > 5*time.Minute || tr.DialContext == nil {
			t.Errorf("%s: ForceAttemptHTTP2 %v, DisableCompression %v, IdleConnTimeout %v, DialContext set %v",
				host, tr.ForceAttemptHTTP2, tr.DisableCompression, tr.IdleConnTimeout, tr.DialContext != nil)
		}
		wantIdle := LocalIdleConns
		switch ep.Scheme {
		case "tcp":
			wantIdle = TCPIdleConns
		case "ssh":
			wantIdle = SSHIdleConns
		}
		if tr.MaxIdleConnsPerHost != wantIdle || (ep.Scheme != "ssh" && wantIdle < 64) {
			t.Errorf("%s: MaxIdleConnsPerHost = %d, want %d", host, tr.MaxIdleConnsPerHost, wantIdle)
		}
		if (tr.Proxy != nil) != (ep.Scheme == "tcp") {
			t.Errorf("%s: Proxy set = %v; want a proxy for tcp only", host, tr.Proxy != nil)
		}
		if (tr.TLSClientConfig != nil) != (ep.TLS != nil) {
			t.Errorf("%s: TLSClientConfig %v with endpoint TLS %v", host, tr.TLSClientConfig, ep.TLS)
		}
	}
}

// TestHostHeader: a request built from BaseURL over a unix socket arrives
// with a fixed, valid Host header (not the socket path).
func TestHostHeader(t *testing.T) {
	leakCheck(t)
	var mu sync.Mutex
	var hosts []string
	srv := startUnixHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts = append(hosts, r.Host)
		mu.Unlock()
		io.WriteString(w, "OK")
	}))
	ep, err := Parse("unix://" + srv.Path)
	if err != nil {
		t.Fatal(err)
	}
	c := clientFor(t, ep)
	for _, path := range []string{"/_ping", "/v1.41/containers/json?all=1"} {
		if code, body := get(t, c, ep.BaseURL()+path); code != 200 || body != "OK" {
			t.Errorf("GET %s = %d %q", path, code, body)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range hosts {
		if h != "api.moby.localhost" {
			t.Errorf("Host header %q, want api.moby.localhost", h)
		}
	}
	if len(hosts) != 2 {
		t.Errorf("server saw %d requests, want 2", len(hosts))
	}
}

// TestConnectionReuse: sequential requests use one connection; M
// concurrent requests open M connections, and M workers hammering the
// endpoint afterwards open no more.
func TestConnectionReuse(t *testing.T) {
	leakCheck(t)
	const N, M, perWorker = 200, 32, 50
	var arrived atomic.Int64
	release := make(chan struct{})
	srv := startUnixHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/barrier" {
			// Hold every request until M are in flight at once.
			if arrived.Add(1) == M {
				close(release)
			}
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
		io.WriteString(w, "OK")
	}))
	ep, _ := Parse("unix://" + srv.Path)
	c := clientFor(t, ep)

	for i := 0; i < N; i++ {
		if code, _ := get(t, c, ep.BaseURL()+"/_ping"); code != 200 {
			t.Fatalf("status %d", code)
		}
	}
	if n := srv.Accepts.Load(); n != 1 {
		t.Errorf("%d sequential requests dialed %d connections, want 1", N, n)
	}

	run := func(path string, requests int) {
		var wg sync.WaitGroup
		var failures atomic.Int64
		for w := 0; w < M; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < requests; i++ {
					resp, err := c.Get(ep.BaseURL() + path)
					if err != nil {
						failures.Add(1)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		if failures.Load() != 0 {
			t.Fatalf("%d concurrent requests failed", failures.Load())
		}
	}
	run("/barrier", 1)
	if n := srv.Accepts.Load(); n != M {
		t.Errorf("%d simultaneous requests dialed %d connections in all, want %d", M, n, M)
	}
	run("/_ping", perWorker)
	if n := srv.Accepts.Load(); n != M {
		t.Errorf("%d workers x %d requests: %d connections in all, want still %d (pool reused)", M, perWorker, n, M)
	}
}

func TestDialContextUnix(t *testing.T) {
	leakCheck(t)
	srv := startUnixHTTP(t, pingHandler())
	ep, _ := Parse("unix://" + srv.Path)

	c, err := ep.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(interface{ CloseWrite() error }); !ok {
		t.Errorf("%T has no CloseWrite", c)
	}
	c.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ep.DialContext(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
	defer cancel()
	if _, err := ep.DialContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past deadline: %v, want context.DeadlineExceeded", err)
	}

	missing, _ := Parse("unix://" + filepath.Join(t.TempDir(), "none.sock"))
	_, err = missing.DialContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is the Docker daemon running?") || !strings.Contains(err.Error(), missing.Host) {
		t.Errorf("missing socket: %v, want the host and a hint", err)
	}
}

// TestDialContextStalledTLS: a server that accepts TCP but never answers
// the TLS handshake; DialContext must give up at the context's deadline or
// cancellation, not hang.
func TestDialContextStalledTLS(t *testing.T) {
	leakCheck(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, silent
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})

	ep, _ := Parse("tcp://" + ln.Addr().String())
	ep, _ = ep.WithTLS(&tls.Config{MinVersion: tls.VersionTLS12})

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = ep.DialContext(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stalled handshake with deadline: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to honour a 200ms deadline", d)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	if _, err = ep.DialContext(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("stalled handshake cancelled: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to honour cancellation", d)
	}

	// The same through the transport: the request's context governs.
	c := clientFor(t, ep)
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ep.BaseURL()+"/_ping", nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("request with deadline: %v, want context.DeadlineExceeded", err)
	}
}

func TestDialUnsupported(t *testing.T) {
	fd, _ := Parse("fd://")
	if _, err := fd.DialContext(context.Background()); err == nil || !strings.Contains(err.Error(), "socket activation") {
		t.Errorf("fd:// dial: %v, want an explanation", err)
	}
	if os.PathSeparator == '/' {
		np, _ := Parse("npipe:////./pipe/docker_engine")
		if _, err := np.DialContext(context.Background()); err == nil || !strings.Contains(err.Error(), "Windows") {
			t.Errorf("npipe dial off Windows: %v, want an explanation", err)
		}
	}
}

const proxyChildEnv = "DIALER_TEST_PROXY_CHILD"

// TestProxyExclusion checks, with HTTP_PROXY and HTTPS_PROXY pointing at a
// recording proxy, that requests over a unix socket never touch the proxy
// while tcp requests go through it. http.ProxyFromEnvironment reads the
// environment once per process, so the check runs in a fresh child process
// of the test binary (this same test, with proxyChildEnv set).
func TestProxyExclusion(t *testing.T) {
	if os.Getenv(proxyChildEnv) != "" {
		proxyChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyExclusion$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), proxyChildEnv+"=1", "GORACE=atexit_sleep_ms=0")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestProxyExclusion") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func proxyChild(t *testing.T) {
	leakCheck(t)
	var proxied atomic.Int64
	var proxiedURL atomic.Value
	proxyLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		proxiedURL.Store(r.URL.String())
		io.WriteString(w, "via proxy")
	})}
	proxyDone := make(chan struct{})
	go func() { proxy.Serve(proxyLn); close(proxyDone) }()
	t.Cleanup(func() { proxy.Close(); <-proxyDone })

	proxyURL := "http://" + proxyLn.Addr().String()
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		os.Setenv(k, proxyURL)
	}
	for _, k := range []string{"NO_PROXY", "no_proxy", "REQUEST_METHOD"} {
		os.Unsetenv(k)
	}

	srv := startUnixHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "direct") }))
	unix, _ := Parse("unix://" + srv.Path)
	if code, body := get(t, clientFor(t, unix), unix.BaseURL()+"/_ping"); code != 200 || body != "direct" {
		t.Errorf("unix request: %d %q, want it answered directly", code, body)
	}
	if n := proxied.Load(); n != 0 {
		t.Errorf("unix request went through the proxy (%d requests)", n)
	}
	for _, host := range []string{"unix://" + srv.Path, "ssh://box", "npipe:////./pipe/docker_engine"} {
		ep, _ := Parse(host)
		if ep.Transport().Proxy != nil {
			t.Errorf("%s: transport has a proxy", host)
		}
	}

	// tcp goes through the proxy (to a name that does not resolve, so only
	// the proxy can answer; loopback addresses are never proxied by Go).
	tcp, _ := Parse("tcp://docker.invalid:2375")
	tr := tcp.Transport()
	req, _ := http.NewRequest("GET", tcp.BaseURL()+"/_ping", nil)
	if u, err := tr.Proxy(req); err != nil || u == nil || u.String() != proxyURL {
		t.Errorf("tcp transport Proxy(%s) = %v, %v; want %s", req.URL, u, err, proxyURL)
	}
	if code, body := get(t, clientFor(t, tcp), tcp.BaseURL()+"/_ping"); code != 200 || body != "via proxy" {
		t.Errorf("tcp request: %d %q, want it answered by the proxy", code, body)
	}
	if u, _ := url.Parse(proxiedURL.Load().(string)); u == nil || u.Host != "docker.invalid:2375" || proxied.Load() != 1 {
		t.Errorf("proxy saw %d requests, last %v", proxied.Load(), proxiedURL.Load())
	}
}
