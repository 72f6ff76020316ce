package docker

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// HijackedConn is the two-way connection of ContainerAttach and ExecStart
// (and Session): write to the process's stdin, read its output, and
// CloseWrite to send EOF on stdin while output keeps flowing.
//
// Cancelling the context the connection was opened with closes it: a Read
// or Write in progress returns an error that matches the context's error.
// Close it when done; no goroutine is left behind either way.
type HijackedConn struct {
	conn   net.Conn // nil when hijacked through an http.Client (see Hijack)
	rwc    io.ReadWriteCloser
	rd     io.Reader // reads rwc's output
	r      *bufio.Reader
	ctx    context.Context
	op     string
	stop   func() bool // stops the context watcher
	closed sync.Once
	err    error // from Close

	kindKnown, kindTTY bool // from the response's content type (API 1.42+)

	// TTY says the output is raw rather than multiplexed, when the daemon
	// did not say so itself (before API 1.42): ExecStart takes it from its
	// request's Tty, which is what the daemon goes by; ContainerAttach from
	// one inspect of the container before the call. The bytes are never
	// guessed from.
	TTY bool
	// Header holds the headers of the daemon's 101 (or, from old daemons,
	// 200) response.
	Header http.Header
}

type closeWriter interface{ CloseWrite() error }

// Read reads the process's output (multiplexed unless TTY), starting with
// whatever the daemon sent in the same packet as its response.
func (h *HijackedConn) Read(p []byte) (int, error) { return h.r.Read(p) }

// Write writes to the process's stdin.
func (h *HijackedConn) Write(p []byte) (int, error) {
	n, err := h.rwc.Write(p)
	return n, h.ctxErr(err)
}

// CloseWrite half-closes the connection: the process sees EOF on stdin, and
// its remaining output can still be read. It works on unix sockets, TCP,
// TLS (a close_notify alert, then a TCP half-close for proxies that only
// watch TCP), ssh and named pipes.
func (h *HijackedConn) CloseWrite() error {
	switch c := h.conn.(type) {
	case nil:
		return fmt.Errorf("docker: %s: a connection hijacked through a custom http.Client cannot half-close; use WithHost or WithEndpoint", h.op)
	case *tls.Conn:
		if err := c.CloseWrite(); err != nil {
			return h.ctxErr(err)
		}
		if cw, ok := c.NetConn().(closeWriter); ok {
			return h.ctxErr(cw.CloseWrite())
		}
		return nil
	case closeWriter:
		return h.ctxErr(c.CloseWrite())
	}
	return fmt.Errorf("docker: %s: this connection (%T) cannot half-close", h.op, h.conn)
}

// Close closes the connection. Calling it again returns the first result.
func (h *HijackedConn) Close() error {
	h.closed.Do(func() {
		watching := h.stop == nil || h.stop()
		h.err = h.rwc.Close()
		if !watching {
			h.err = nil // the context closed it first
		}
	})
	return h.err
}

// ctxErr reports an error caused by the context closing the connection as
// the context's error.
func (h *HijackedConn) ctxErr(err error) error {
	if err == nil || err == io.EOF || h.ctx == nil || h.ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("docker: %s: %w", h.op, h.ctx.Err())
}

// Conn returns the connection as a net.Conn, for code that wants one. Its
// Read goes through the same buffer as h.Read, which may already hold
// output that arrived with the daemon's response, and it has CloseWrite.
func (h *HijackedConn) Conn() net.Conn { return hijackedNetConn{h} }

type hijackedNetConn struct{ h *HijackedConn }

func (c hijackedNetConn) Read(p []byte) (int, error)  { return c.h.Read(p) }
func (c hijackedNetConn) Write(p []byte) (int, error) { return c.h.Write(p) }
func (c hijackedNetConn) Close() error                { return c.h.Close() }
func (c hijackedNetConn) CloseWrite() error           { return c.h.CloseWrite() }

func (c hijackedNetConn) LocalAddr() net.Addr {
	if c.h.conn == nil {
		return hijackAddr{}
	}
	return c.h.conn.LocalAddr()
}

func (c hijackedNetConn) RemoteAddr() net.Addr {
	if c.h.conn == nil {
		return hijackAddr{}
	}
	return c.h.conn.RemoteAddr()
}

func (c hijackedNetConn) SetDeadline(t time.Time) error      { return c.deadline(t, true, true) }
func (c hijackedNetConn) SetReadDeadline(t time.Time) error  { return c.deadline(t, true, false) }
func (c hijackedNetConn) SetWriteDeadline(t time.Time) error { return c.deadline(t, false, true) }

func (c hijackedNetConn) deadline(t time.Time, r, w bool) error {
	switch {
	case c.h.conn == nil:
		return errors.New("docker: deadlines are not supported on a connection hijacked through an http.Client")
	case r && w:
		return c.h.conn.SetDeadline(t)
	case r:
		return c.h.conn.SetReadDeadline(t)
	}
	return c.h.conn.SetWriteDeadline(t)
}

type hijackAddr struct{}

func (hijackAddr) Network() string { return "docker" }
func (hijackAddr) String() string  { return "hijacked" }

// Output returns the connection's output as an Output, to Demux it. The
// kind of stream is taken from the daemon's content type where it can be
// trusted (API 1.42+), else from TTY. Closing the Output closes the
// connection.
func (h *HijackedConn) Output() *Output {
	o := &Output{r: h.r, closer: h, Header: h.Header, TTY: h.TTY}
	if h.kindKnown {
		o.TTY = h.kindTTY
	}
	return o
}

// connReader reads the raw connection for the HijackedConn's buffer,
// reporting a read cut short by the context as the context's error.
type connReader struct{ h *HijackedConn }

func (c connReader) Read(p []byte) (int, error) {
	n, err := c.h.rd.Read(p)
	return n, c.h.ctxErr(err)
}

// hijackBuffer is the read buffer of a hijacked connection.
const hijackBuffer = 32 << 10

// hijack sends r asking the daemon to upgrade the connection to a raw stream
// (Upgrade: tcp; h2c for /session, or whatever r's own Upgrade header says)
// and makes h that connection. Cancelling ctx closes it.
//
// It dials the client's host directly. A client made with WithHTTPClient
// and WithBaseURL only (no host) sends the request through that
// http.Client instead, which hands back the upgraded connection; such a
// connection cannot half-close.
func (c *Client) hijack(ctx context.Context, r *request, h *HijackedConn) error {
	if err := c.checkRequestVersion(ctx, r); err != nil {
		return err
	}
	req, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return err
	}
	proto := upgradeProtocol(r, req)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", proto)
	h.ctx, h.op = ctx, r.Op
	if c.endpoint == nil {
		return c.hijackHTTP(ctx, r, req, h)
	}

	x, err := c.exchangeRaw(ctx, r.Op, req, func(conn net.Conn) io.Reader {
		h.rd = conn
		return connReader{h}
	})
	if err != nil {
		return err
	}
	h.conn, h.rwc, h.r, h.stop = x.conn, x.conn, x.br, x.stop
	fail := func(err error) error {
		x.abort()
		return err
	}
	resp := x.resp
	switch {
	case resp.StatusCode == http.StatusSwitchingProtocols:
		if up := resp.Header.Get("Upgrade"); up != "" && !strings.EqualFold(up, proto) {
			return fail(fmt.Errorf("docker: %s: daemon upgraded to %q, not %s", r.Op, up[:min(len(up), 64)], proto))
		}
	case resp.StatusCode/100 == 2:
		// Old daemons, and requests without Upgrade, get 200 and then the
		// stream on the same connection, up to its end. A body with a
		// length (0 for a detached ExecStart) or chunks is read through
		// its framing instead, so that reading ends where it does rather
		// than waiting on a connection the daemon keeps open.
		if resp.ContentLength >= 0 || len(resp.TransferEncoding) > 0 {
			h.r = bufio.NewReaderSize(resp.Body, hijackBuffer)
		}
	default:
		return fail(errorFromResponse(resp, r.Op, r.APIVersion))
	}
	h.Header = resp.Header
	h.kindTTY, h.kindKnown = trustedKind(resp.Header, r.APIVersion)
	return nil
}

// upgradeProtocol is the protocol asked for in the Upgrade header: the
// caller's, when the Request sets one; h2c for /session (BuildKit's
// session endpoint refuses anything else); tcp otherwise.
func upgradeProtocol(r *request, req *http.Request) string {
	if p := req.Header.Get("Upgrade"); p != "" {
		return p
	}
	if r.Path == "/session" {
		return "h2c"
	}
	return "tcp"
}

// trustedKind says whether an output stream (logs, attach, exec) is raw (TTY) or multiplexed,
// when the response says so in a way that can be trusted: the multiplexed
// content type always, the raw one only from API 1.42 on (before, dockerd
// labelled every output stream raw, multiplexed or not).
func trustedKind(h http.Header, apiVersion string) (tty, known bool) {
	tty, known = streamKind(h)
	if tty && !trustsRawType(apiVersion) {
		return false, false
	}
	return tty, known
}

// trustsRawType reports whether a response to a request of this API
// version labels only raw streams application/vnd.docker.raw-stream.
func trustsRawType(apiVersion string) bool {
	v, err := parseAPIVersion(apiVersion)
	return err == nil && v >= 42
}

// hijackHTTP upgrades through the client's http.Client, which returns the
// connection as the body of a 101 response.
func (c *Client) hijackHTTP(ctx context.Context, r *request, req *http.Request, h *HijackedConn) error {
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return c.transportError(r.Op, err)
	}
	switch {
	case resp.StatusCode == http.StatusSwitchingProtocols:
		rwc, ok := resp.Body.(io.ReadWriteCloser)
		if !ok {
			resp.Body.Close()
			return fmt.Errorf("docker: %s: the http.Client's transport returned a 101 without a writable connection", r.Op)
		}
		h.rwc, h.rd = rwc, rwc
	case resp.StatusCode/100 == 2:
		resp.Body.Close()
		return fmt.Errorf("docker: %s: the daemon answered %d %s instead of upgrading the connection", r.Op, resp.StatusCode, http.StatusText(resp.StatusCode))
	default:
		return errorFromResponse(resp, r.Op, r.APIVersion)
	}
	h.stop = context.AfterFunc(ctx, func() { h.rwc.Close() })
	h.r = bufio.NewReaderSize(connReader{h}, hijackBuffer)
	h.Header = resp.Header
	h.kindTTY, h.kindKnown = trustedKind(resp.Header, r.APIVersion)
	return nil
}

// rawExchange is a request sent on a connection of its own, for a request
// whose connection leaves HTTP (attach, exec, WebSocket), and the daemon's
// answer. Until stop is called, cancelling the context closes conn.
type rawExchange struct {
	conn net.Conn
	br   *bufio.Reader // the answer and what follows it
	resp *http.Response
	stop func() bool
}

// abort ends an exchange whose answer is not wanted.
func (x *rawExchange) abort() {
	x.stop()
	x.conn.Close()
}

// maxResponseHead bounds the status line and headers of the daemon's
// answer to a hijack or WebSocket request, informational answers included;
// net/http's Transport has the same bound (MaxResponseHeaderBytes) for
// every other call.
const maxResponseHead = 1 << 20

// exchangeRaw dials the daemon, sends req and reads the answer through a
// buffer over reader(conn). Informational answers (1xx other than 101) are
// skipped, as net/http does. On an error the connection is closed.
func (c *Client) exchangeRaw(ctx context.Context, op string, req *http.Request, reader func(net.Conn) io.Reader) (*rawExchange, error) {
	conn, err := c.endpoint.DialContext(ctx)
	if err != nil {
		if isDialError(err) {
			return nil, &ConnectError{Host: c.host, Err: err}
		}
		return nil, c.ctxErr(ctx, op, err)
	}
	x := &rawExchange{conn: conn, stop: context.AfterFunc(ctx, func() { conn.Close() })}
	if err := req.Write(conn); err != nil {
		x.abort()
		return nil, c.ctxErr(ctx, op, err)
	}
	// The limit counts what the buffer reads while the head is parsed, so
	// it allows for one buffer of read-ahead past the head.
	head := &readLimit{r: reader(conn), left: maxResponseHead + hijackBuffer, err: errHeadTooLong}
	x.br = bufio.NewReaderSize(head, hijackBuffer)
	for {
		x.resp, err = http.ReadResponse(x.br, req)
		if err != nil {
			x.abort()
			if errors.Is(err, errHeadTooLong) {
				return nil, fmt.Errorf("docker: %s: the daemon's response head is longer than %d bytes", op, maxResponseHead)
			}
			return nil, c.ctxErr(ctx, op, err)
		}
		if x.resp.StatusCode/100 != 1 || x.resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	head.left = -1 // the head is read: what follows is the stream, unbounded
	return x, nil
}

var errHeadTooLong = errors.New("response head too long")

// readLimit fails reads past left bytes with err; left < 0 lifts the
// limit. It bounds a response head, and one message of a JSON stream.
type readLimit struct {
	r    io.Reader
	left int
	err  error
}

func (l *readLimit) Read(p []byte) (int, error) {
	if l.left < 0 {
		return l.r.Read(p)
	}
	if l.left == 0 {
		return 0, l.err
	}
	if len(p) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= n
	return n, err
}

func (c *Client) ctxErr(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("docker: %s: %w", op, ctx.Err())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// http.ReadResponse reports a connection closed before the status
		// line as io.ErrUnexpectedEOF.
		return fmt.Errorf("docker: %s: the daemon closed the connection before answering: %w", op, err)
	}
	return fmt.Errorf("docker: %s: %w", op, err)
}
