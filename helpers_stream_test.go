package docker_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// frame builds one frame of a multiplexed stream.
func frame(stream byte, payload string) []byte {
	b := make([]byte, 8+len(payload))
	b[0] = stream
	binary.BigEndian.PutUint32(b[4:], uint32(len(payload)))
	copy(b[8:], payload)
	return b
}

func frames(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// splitAt returns a reader that returns data[:k] and data[k:] in separate
// reads: every split of a stream must give the same result.
func splitAt(data []byte, k int) io.Reader {
	return io.MultiReader(bytes.NewReader(data[:k]), bytes.NewReader(data[k:]))
}

// readers returns the ways a stream may arrive: whole, one byte per read,
// and split at every offset.
func readers(data []byte) map[string]func() io.Reader {
	m := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(data) },
		"one byte": func() io.Reader { return &oneByte{data: data} },
	}
	for k := 1; k < len(data); k++ {
		m["split "+itoa(k)] = func() io.Reader { return splitAt(data, k) }
	}
	return m
}

// oneByte returns one byte per Read (testing/iotest.OneByteReader, without
// the io.WriterTo that would let io.Copy bypass it).
type oneByte struct{ data []byte }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.data) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.data[0]
	o.data = o.data[1:]
	return 1, nil
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

// response wraps a body as a daemon response to a request of API v1.41.
func response(body io.Reader, contentType string) *http.Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://api.moby.localhost/v1.41/containers/x/logs", nil)
	return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(body), Request: req}
}

// testServer serves h over TCP and returns a v141 client for it that dials
// the server's address (so hijacked calls work too) and skips the version
// check.
func testServer(t testing.TB, h http.Handler) (*docker.Client, *v141.Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := docker.New(docker.WithHost("tcp://"+srv.Listener.Addr().String()), docker.WithoutVersionCheck())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, v141.New(c)
}

// writeSlowly writes each byte separately and flushes after each, so that
// the client sees the stream split at every boundary.
func writeSlowly(w http.ResponseWriter, data []byte) {
	f := w.(http.Flusher)
	for i := range data {
		w.Write(data[i : i+1])
		f.Flush()
	}
}

// goroutines returns the goroutine count once it stops falling.
func goroutines() int {
	n := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		time.Sleep(10 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m >= n && i > 3 {
			return m
		}
		n = min(n, m)
	}
	return n
}

// checkGoroutines waits (up to 10 s) until no more goroutines run than
// before, and fails with a dump of them otherwise.
func checkGoroutines(t testing.TB, c *docker.Client, before int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c != nil {
			c.Close() // idle pooled connections keep two goroutines each
		}
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines run, %d before the stream:\n%s", n, before, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func uniqueName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// lineWriter signals on a channel each time a line containing want has
// been written.
type lineWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	want  string
	seen  int
	count chan int
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if n := strings.Count(w.buf.String(), w.want); n > w.seen {
		w.seen = n
		select {
		case w.count <- n:
		default:
		}
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// errWriter fails every write.
type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

// ctxTimeout returns a context that ends after d, cancelled at cleanup.
func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
