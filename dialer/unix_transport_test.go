package dialer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pooledUnixServer is an HTTP server on a unix socket whose idle timeout a test
// can make short, so that the server closes pooled connections.
func pooledUnixServer(t *testing.T, idle time.Duration, h http.HandlerFunc) (*Endpoint, *atomic.Int64) {
	t.Helper()
	path := filepath.Join(shortTempDir(t), "d.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	accepts := new(atomic.Int64)
	srv := &http.Server{Handler: h, IdleTimeout: idle}
	done := make(chan struct{})
	go func() {
		srv.Serve(countingListener{ln, accepts})
		close(done)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	ep, err := Parse("unix://" + path)
	if err != nil {
		t.Fatal(err)
	}
	return ep, accepts
}

func unixGet(t *testing.T, c *http.Client, ctx context.Context, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://api.moby.localhost"+path, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

func TestUnixTransportReusesOneConnection(t *testing.T) {
	leakCheck(t)
	ep, accepts := pooledUnixServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/same":
			w.WriteHeader(http.StatusNotModified)
		default:
			fmt.Fprintf(w, "%s %s", r.Method, r.URL.Path)
		}
	})
	c := &http.Client{Transport: ep.Transport()}
	defer c.CloseIdleConnections()
	for i := 0; i < 50; i++ {
		for _, p := range []string{"/x", "/empty", "/same"} {
			unixGet(t, c, context.Background(), p)
		}
		req, _ := http.NewRequest("HEAD", "http://api.moby.localhost/head", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// A request with a body keeps the connection too.
		req, _ = http.NewRequest("POST", "http://api.moby.localhost/post", strings.NewReader(`{"a":1}`))
		resp, err = c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := accepts.Load(); n != 1 {
		t.Fatalf("250 sequential requests dialed %d connections, want 1", n)
	}
}

func TestUnixTransportRetriesAConnectionTheDaemonClosed(t *testing.T) {
	leakCheck(t)
	ep, accepts := pooledUnixServer(t, 30*time.Millisecond, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	})
	c := &http.Client{Transport: ep.Transport()}
	defer c.CloseIdleConnections()
	for i := 0; i < 3; i++ {
		if code, body := unixGet(t, c, context.Background(), "/"); code != 200 || body != "ok" {
			t.Fatalf("got %d %q", code, body)
		}
		req, _ := http.NewRequest("POST", "http://api.moby.localhost/", strings.NewReader(`{"x":1}`))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("POST on a connection the server had closed: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		time.Sleep(150 * time.Millisecond) // the server closes the idle connection
	}
	if n := accepts.Load(); n < 3 {
		t.Fatalf("%d connections; the server's idle closes should have forced new ones", n)
	}
}

func TestUnixTransportCancelAndEarlyClose(t *testing.T) {
	leakCheck(t)
	ep, accepts := pooledUnixServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stream" {
			for i := 0; ; i++ {
				if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
		io.WriteString(w, "ok")
	})
	c := &http.Client{Transport: ep.Transport()}
	defer c.CloseIdleConnections()

	// Cancelling the context ends a streaming read with context.Canceled.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://api.moby.localhost/stream", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = io.Copy(io.Discard, resp.Body)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v, want context.Canceled", err)
	}
	resp.Body.Close()

	// Closing a body early drops its connection; the next request works.
	resp, err = c.Get("http://api.moby.localhost/stream")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Read(buf)
	resp.Body.Close()
	if code, body := unixGet(t, c, context.Background(), "/"); code != 200 || body != "ok" {
		t.Fatalf("after an early close: %d %q", code, body)
	}
	if n := accepts.Load(); n != 3 {
		t.Fatalf("%d connections, want 3 (a cancelled and an abandoned stream are not reused)", n)
	}
}

func TestUnixTransportStreamsABodyOfUnknownLength(t *testing.T) {
	leakCheck(t)
	ep, _ := pooledUnixServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%d", n)
	})
	c := &http.Client{Transport: ep.Transport()}
	defer c.CloseIdleConnections()
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 100; i++ {
			pw.Write(make([]byte, 10<<10))
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("PUT", "http://api.moby.localhost/archive", pr)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "1024000" {
		t.Fatalf("server read %s bytes, want 1024000", b)
	}
}

func TestUnixTransportConcurrency(t *testing.T) {
	leakCheck(t)
	var inFlight, peak atomic.Int64
	ep, accepts := pooledUnixServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		inFlight.Add(-1)
		io.WriteString(w, "ok")
	})
	c := &http.Client{Transport: ep.Transport()}
	defer c.CloseIdleConnections()
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				resp, err := c.Get("http://api.moby.localhost/")
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if failures.Load() > 0 {
		t.Fatalf("%d requests failed", failures.Load())
	}
	// One connection per goroutine, reused for all 800 requests. A few
	// more may be dialed: net/http starts a dial while a request waits for
	// an idle connection, and keeps it when another comes back first (seen
	// here once under load: 17). A pool too small would redial hundreds.
	if n := accepts.Load(); n > 20 {
		t.Fatalf("16 goroutines making 800 requests dialed %d connections, want about 16", n)
	}
}
