package dialer

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/dockerclient/docker/internal/sockread"
)

// RoundTripper returns what the SDK sends requests through. For a unix
// socket or a named pipe it is a direct HTTP/1.1 round tripper: the request
// is written and the response read on the caller's goroutine, over a pool
// of kept-alive connections. net/http's Transport hands every request to a
// writer goroutine and every response back from a reader goroutine; on a
// local socket those hand-offs cost about half of a small call's CPU.
// Requests that stream a body of unknown origin (a tar upload) still go
// through Transport, which reads the daemon's answer while it writes, so
// an early error is not lost to a broken pipe. Every other endpoint uses
// Transport.
func (e *Endpoint) RoundTripper() http.RoundTripper {
	fallback := e.Transport()
	switch e.Scheme {
	case "unix", "npipe":
		return &directTransport{dial: e.DialContext, maxIdle: LocalIdleConns, fallback: fallback}
	}
	return fallback
}

// directTransport is the round tripper for local sockets; see RoundTripper.
type directTransport struct {
	dial     func(context.Context) (net.Conn, error)
	maxIdle  int
	fallback *http.Transport

	mu   sync.Mutex
	idle []*directConn
}

type directConn struct {
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
}

// aLongTimeAgo makes every pending read or write on a connection fail at
// once; it is how a cancelled context interrupts one.
var aLongTimeAgo = time.Unix(1, 0)

func (t *directTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return t.fallback.RoundTrip(req)
	}
	if req.Header.Get("Upgrade") != "" {
		return t.fallback.RoundTrip(req) // a hijack: the connection leaves the pool
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			closeRequestBody(req)
			return nil, err
		}
		dc, reused, err := t.get(ctx, attempt > 0)
		if err != nil {
			closeRequestBody(req)
			return nil, err
		}
		resp, retry, err := t.exchange(ctx, req, dc, reused)
		if !retry {
			return resp, err
		}
		// The daemon had closed this idle connection: nothing was sent to
		// it, so the request is sent again, once, on a new one.
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
	}
}

// exchange sends req on dc and reads the response head. retry is true when
// a reused connection turned out dead before any byte of a response came.
func (t *directTransport) exchange(ctx context.Context, req *http.Request, dc *directConn, reused bool) (resp *http.Response, retry bool, err error) {
	stop := context.AfterFunc(ctx, func() { dc.conn.SetDeadline(aLongTimeAgo) })
	fail := func(err error, beforeResponse bool) (*http.Response, bool, error) {
		stop()
		dc.conn.Close()
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, reused && beforeResponse, err
	}
	if err := req.Write(dc.bw); err != nil {
		return fail(err, true)
	}
	if err := dc.bw.Flush(); err != nil {
		return fail(err, true)
	}
	if _, err := dc.br.Peek(1); err != nil {
		return fail(err, true)
	}
	resp, err = http.ReadResponse(dc.br, req)
	if err != nil {
		return fail(err, false)
	}
	body := &directBody{
		rc:       resp.Body,
		t:        t,
		dc:       dc,
		stop:     stop,
		ctx:      ctx,
		reusable: !resp.Close && !req.Close && resp.StatusCode != http.StatusSwitchingProtocols,
	}
	if resp.Body == http.NoBody {
		// HEAD, 204, 304: nothing to read, the connection is free now.
		body.finish(true)
		return resp, false, nil
	}
	resp.Body = body
	return resp, false, nil
}

func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// get returns an idle connection (reused true) or dials a new one.
func (t *directTransport) get(ctx context.Context, fresh bool) (dc *directConn, reused bool, err error) {
	if !fresh {
		t.mu.Lock()
		if n := len(t.idle); n > 0 {
			dc = t.idle[n-1]
			t.idle = t.idle[:n-1]
		}
		t.mu.Unlock()
		if dc != nil {
			return dc, true, nil
		}
	}
	conn, err := t.dial(ctx)
	if err != nil {
		return nil, false, err
	}
	return &directConn{conn: conn, br: bufio.NewReaderSize(sockread.Reader(conn), 32<<10), bw: bufio.NewWriterSize(conn, 4<<10)}, false, nil
}

func (t *directTransport) put(dc *directConn) {
	t.mu.Lock()
	if len(t.idle) < t.maxIdle {
		t.idle = append(t.idle, dc)
		dc = nil
	}
	t.mu.Unlock()
	if dc != nil {
		dc.conn.Close()
	}
}

// CloseIdleConnections closes the pooled connections (Client.Close).
func (t *directTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, dc := range idle {
		dc.conn.Close()
	}
	t.fallback.CloseIdleConnections()
}

// directBody returns its connection to the pool when the body has been read
// to its end, and closes it when the body is abandoned.
type directBody struct {
	rc       io.ReadCloser
	t        *directTransport
	dc       *directConn
	stop     func() bool
	ctx      context.Context
	reusable bool
	mu       sync.Mutex
	done     bool
}

func (b *directBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.finish(true)
	} else if err != nil {
		if ctxErr := b.ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		b.finish(false)
	}
	return n, err
}

func (b *directBody) Close() error {
	b.finish(false)
	return nil
}

func (b *directBody) finish(atEOF bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	stopped := b.stop()
	if atEOF && b.reusable && stopped {
		b.t.put(b.dc)
		return
	}
	b.dc.conn.Close()
}
