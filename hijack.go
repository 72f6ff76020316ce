package docker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
)

// HijackedConn is the two-way connection of ContainerAttach and ExecStart
// (and Session): write to the process's stdin, read its output, and
// CloseWrite to send EOF on stdin while output keeps flowing.
type HijackedConn struct {
	conn   net.Conn
	r      *bufio.Reader
	stop   func() bool // stops the context watcher
	closed sync.Once
	// TTY says the output is raw rather than multiplexed; the generated
	// methods set it from the request (ExecStart's Tty) where they know it.
	TTY bool
}

// Read reads the process's output (multiplexed unless TTY).
func (h *HijackedConn) Read(p []byte) (int, error) { return h.r.Read(p) }

// Write writes to the process's stdin.
func (h *HijackedConn) Write(p []byte) (int, error) { return h.conn.Write(p) }

// CloseWrite half-closes the connection: the process sees EOF on stdin, and
// its remaining output can still be read.
func (h *HijackedConn) CloseWrite() error {
	if cw, ok := h.conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return fmt.Errorf("docker: this connection (%T) cannot half-close", h.conn)
}

// Close closes the connection.
func (h *HijackedConn) Close() error {
	var err error
	h.closed.Do(func() {
		if h.stop != nil {
			h.stop()
		}
		err = h.conn.Close()
	})
	return err
}

// Conn returns the underlying connection.
func (h *HijackedConn) Conn() net.Conn { return h.conn }

// Output returns the connection's output as an Output, to Demux it.
func (h *HijackedConn) Output() *Output { return newOutputFrom(h.r, h, h.TTY) }

// Hijack sends r asking the daemon to upgrade the connection to a raw stream
// and returns that connection. Cancelling ctx closes it.
func (c *Client) Hijack(ctx context.Context, r *Request) (*HijackedConn, error) {
	if r.APIVersion != "" && c.versionCheck {
		if err := c.checkVersion(ctx, r.APIVersion, r.Op); err != nil {
			return nil, err
		}
	}
	if c.endpoint == nil {
		return nil, errors.New("docker: " + r.Op + ": hijacked connections need a host to dial (use WithHost or FromEnv)")
	}
	req, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "tcp")
	conn, err := c.endpoint.DialContext(ctx)
	if err != nil {
		if isDialError(err) {
			return nil, &ConnectError{Host: c.host, Err: err}
		}
		return nil, fmt.Errorf("docker: %s: %w", r.Op, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(err error) (*HijackedConn, error) {
		stop()
		conn.Close()
		return nil, err
	}
	if err := req.Write(conn); err != nil {
		return fail(c.ctxErr(ctx, r.Op, err))
	}
	br := bufio.NewReaderSize(conn, 32<<10)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fail(c.ctxErr(ctx, r.Op, err))
	}
	switch {
	case resp.StatusCode == http.StatusSwitchingProtocols:
		if !strings.EqualFold(resp.Header.Get("Upgrade"), "tcp") && resp.Header.Get("Upgrade") != "" {
			return fail(fmt.Errorf("docker: %s: daemon upgraded to %q, not tcp", r.Op, resp.Header.Get("Upgrade")))
		}
	case resp.StatusCode/100 == 2:
		// Old daemons answer 200 and then stream on the same connection.
	default:
		return fail(errorFromResponse(resp, r.Op, r.APIVersion))
	}
	return &HijackedConn{conn: conn, r: br, stop: stop}, nil
}

func (c *Client) ctxErr(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("docker: %s: %w", op, ctx.Err())
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("docker: %s: the daemon closed the connection before answering", op)
	}
	return fmt.Errorf("docker: %s: %w", op, err)
}
