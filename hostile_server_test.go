package docker_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// hostileServer stands in for a Docker daemon that misbehaves on purpose. It
// listens on a unix socket in a temporary folder and hands each connection
// to serve, which speaks as much (or as little) HTTP/1.1 as the test wants,
// byte by byte. Everything it started ends when the test does.
type hostileServer struct {
	dir   string
	path  string
	ln    net.Listener
	serve func(*hostileConn)

	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	requests map[string]int // "POST /v1.41/containers/create": how many arrived
	closing  atomic.Bool

	open       atomic.Int64 // connections whose serve has not returned yet
	clientGone atomic.Int64 // connections on which the server saw the client go away
	sent       atomic.Int64 // bytes written by stream
}

func newHostileServer(t *testing.T, serve func(*hostileConn)) *hostileServer {
	t.Helper()
	// Not t.TempDir: a socket's path must fit in 108 bytes, and a test's
	// temporary folder is named after the test.
	dir, err := os.MkdirTemp("", "hostile")
	if err != nil {
		t.Fatal(err)
	}
	s := &hostileServer{dir: dir, path: filepath.Join(dir, "d.sock"), serve: serve,
		conns: map[net.Conn]struct{}{}, requests: map[string]int{}}
	if s.ln, err = net.Listen("unix", s.path); err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *hostileServer) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closing.Load() {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.open.Add(1)
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer s.open.Add(-1)
			s.serve(&hostileConn{Conn: conn, br: bufio.NewReader(conn), s: s})
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
			conn.Close()
		}()
	}
}

// close stops the server and closes its connections, which ends every serve
// (they block on nothing but their connection).
func (s *hostileServer) close() {
	s.closing.Store(true)
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	os.RemoveAll(s.dir)
}

// count returns how many requests with this method and path arrived.
func (s *hostileServer) count(methodPath string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[methodPath]
}

// docker returns a client of s; it is closed when the test ends.
func (s *hostileServer) docker(t *testing.T, opts ...docker.Option) *docker.Client {
	t.Helper()
	c, err := docker.New(append([]docker.Option{docker.WithHost("unix://" + s.path)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// api returns a v1.41 client of s that skips the version check, so that the
// server need not answer /version.
func (s *hostileServer) api(t *testing.T, opts ...docker.Option) *v141.Client {
	t.Helper()
	return v141.New(s.docker(t, append([]docker.Option{docker.WithoutVersionCheck()}, opts...)...))
}

// hostileConn is one connection of a hostileServer.
type hostileConn struct {
	net.Conn
	br   *bufio.Reader
	s    *hostileServer
	gone bool
}

// next reads the next request, its body included, and counts it. It returns
// nil when the client has closed the connection.
func (c *hostileConn) next() *http.Request {
	req, err := http.ReadRequest(c.br)
	if err != nil {
		c.lost()
		return nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		c.lost()
		return nil
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	c.s.mu.Lock()
	c.s.requests[req.Method+" "+req.URL.Path]++
	c.s.mu.Unlock()
	return req
}

// lost records that the client went away, unless the server is closing.
func (c *hostileConn) lost() {
	if !c.gone && !c.s.closing.Load() {
		c.gone = true
		c.s.clientGone.Add(1)
	}
}

// write sends text as it is; false means the client has gone away.
func (c *hostileConn) write(text string) bool {
	if _, err := io.WriteString(c.Conn, text); err != nil {
		c.lost()
		return false
	}
	return true
}

// stream sends chunk over and over until limit bytes are out (true) or the
// client goes away (false). It allocates nothing, so that it does not count
// in the client's memory measurements.
func (c *hostileConn) stream(chunk []byte, limit int64) bool {
	for left := limit; left > 0; {
		n, err := c.Conn.Write(chunk[:int(min(int64(len(chunk)), left))])
		c.s.sent.Add(int64(n))
		left -= int64(n)
		if err != nil {
			c.lost()
			return false
		}
	}
	return true
}

// waitClose reads until the client closes the connection.
func (c *hostileConn) waitClose() {
	io.Copy(io.Discard, c.br)
	c.lost()
}

// hostileJSON is a complete response with a JSON body.
func hostileJSON(status int, body string) string {
	return fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), len(body), body)
}

// hostileChunked is the head of a 200 response of this content type with a
// chunked body, and its first chunk; the body is left unfinished.
func hostileChunked(contentType, data string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
		contentType, len(data), data)
}

// hostileFrame is one frame of a multiplexed output stream.
func hostileFrame(stream byte, payload string) string {
	n := len(payload)
	return string([]byte{stream, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}) + payload
}

// hostileFill is a chunk of one repeated byte, for stream.
func hostileFill(b byte) []byte { return bytes.Repeat([]byte{b}, 64<<10) }

// hostileJunk is about n bytes of text that would repaint a terminal that
// printed it: escape sequences (clear screen, set the window title, an
// 8-bit CSI), a bell, and line breaks that fake further lines of output.
// It has no braces, quotes or words that look like a secret.
func hostileJunk(n int) string {
	const line = "the daemon says \x1b[2J\x1b]0;pwned\x07 and \u009b31m red\r\nspoofed: all good\r\n"
	return strings.Repeat(line, n/len(line)+1)[:n]
}

// hostileCtx is a context that ends after d or with the test.
func hostileCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// hostileAlloc runs f and returns how many bytes the process allocated
// meanwhile (MemStats.TotalAlloc), the server's goroutines included.
func hostileAlloc(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hostileFDs counts the process's open file descriptors, or returns -1 where
// /proc/self/fd cannot tell.
func hostileFDs() int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(fds)
}

// hostileEventually polls cond until it holds (true) or d has passed.
func hostileEventually(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// maxHostileErrorText is the most an error's text may hold, whatever the
// daemon sent.
const maxHostileErrorText = 4096 + 512

// checkCleanError fails the test unless err is an error whose text is short
// and has no control character other than a tab.
func checkCleanError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if len(msg) > maxHostileErrorText {
		t.Errorf("the error text is %d bytes, more than %d: %.200q...", len(msg), maxHostileErrorText, msg)
	}
	for i, r := range msg {
		if r != '\t' && unicode.IsControl(r) {
			t.Errorf("the error text holds control character %U at byte %d: %.200q", r, i, msg[max(0, i-60):])
			break
		}
	}
}
