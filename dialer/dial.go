package dialer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"time"
)

// Pool and timeout settings of the transports built by Transport.
const (
	// LocalIdleConns is how many idle connections a unix or npipe transport
	// keeps: a local socket costs nothing to keep open, while redialing under
	// load (the official client keeps 2) churns thousands of connections.
	LocalIdleConns = 128
	// TCPIdleConns is how many idle connections a tcp transport keeps.
	TCPIdleConns = 64
	// SSHIdleConns is how many idle connections an ssh transport keeps; each
	// one is an ssh process here and a dial-stdio process on the far side.
	SSHIdleConns = 16

	// maxResponseHeader bounds a response's status line and headers; the
	// daemon's are a few hundred bytes.
	maxResponseHeader = 1 << 20

	idleTimeout    = 90 * time.Second
	sshIdleTimeout = 30 * time.Second
	tcpDialTimeout = 30 * time.Second
	tcpKeepAlive   = 30 * time.Second
)

// DialContext opens a raw connection to the daemon, honouring ctx's deadline
// and cancellation while connecting (ctx does not limit the connection's
// life afterwards). It is what Transport uses and what hijacked requests
// (Upgrade: tcp, as in attach and exec) are written on.
//
// For tcp with TLS the handshake is done before it returns. For ssh it starts
// `ssh ... -- HOST docker system dial-stdio` (see SSHTarget); ssh connects
// lazily, so a failure to reach the host shows up as an error from the first
// Read or Write, carrying ssh's stderr.
//
// Every connection it returns also has a CloseWrite() error method, which
// half-closes the connection so the daemon sees the end of stdin.
func (e *Endpoint) DialContext(ctx context.Context) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, e.dialErr(err)
	}
	var (
		c   net.Conn
		err error
	)
	switch e.Scheme {
	case "unix":
		if e.Dial != nil {
			c, err = e.hookDial(ctx, "unix", e.Address)
		} else {
			var d net.Dialer
			c, err = d.DialContext(ctx, "unix", e.Address)
		}
	case "tcp":
		c, err = e.dialTCP(ctx)
	case "ssh":
		if e.SSH == nil {
			return nil, fmt.Errorf("dialer: %s has no ssh target; build endpoints with Parse", e.Host)
		}
		c, err = e.SSH.dial(ctx)
	case "npipe":
		c, err = dialPipe(ctx, e.Address)
	case "fd":
		return nil, fmt.Errorf("dialer: cannot dial %s: fd:// is systemd socket activation, which only a daemon can use; point DOCKER_HOST at the daemon's socket instead (e.g. %s)", e.Host, DefaultHost)
	default:
		return nil, fmt.Errorf("dialer: cannot dial %q: unknown scheme %q", e.Host, e.Scheme)
	}
	if err != nil {
		return nil, e.dialErr(err)
	}
	return c, nil
}

// tcpDialFunc is Dial, or the default dialer for tcp.
func (e *Endpoint) tcpDialFunc() func(ctx context.Context, network, address string) (net.Conn, error) {
	if e.Dial != nil {
		return e.hookDial
	}
	d := &net.Dialer{Timeout: tcpDialTimeout, KeepAlive: tcpKeepAlive}
	return d.DialContext
}

// hookDial calls Dial. A hook that looked at its socket's descriptor (to
// read SO_PEERCRED, say) may have left it in blocking mode, in which a
// stalled read ignores deadlines and Close, so a cancelled call would wait
// for the daemon forever; the socket is put back in non-blocking mode.
func (e *Endpoint) hookDial(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := e.Dial(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if err := setNonblock(c); err != nil {
		c.Close()
		return nil, fmt.Errorf("the dial hook's connection: %w", err)
	}
	return c, nil
}

func (e *Endpoint) dialTCP(ctx context.Context) (net.Conn, error) {
	raw, err := e.tcpDialFunc()(ctx, "tcp", e.Address)
	if err != nil || e.TLS == nil {
		return raw, err
	}
	cfg := e.TLS.Clone()
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(e.Address)
		cfg.ServerName = host
	}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return tc, nil
}

// dialErr names the endpoint in a dial error and adds a hint for the common
// local-socket problems. The cause stays reachable with errors.Is/As.
func (e *Endpoint) dialErr(err error) error {
	hint := ""
	if e.Scheme == "unix" || e.Scheme == "npipe" {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			hint = " (is the Docker daemon running?)"
		case errors.Is(err, fs.ErrPermission):
			hint = " (permission denied: is this user allowed to use the Docker socket?)"
		}
	}
	return fmt.Errorf("dialer: connecting to %s: %w%s", e.Host, err, hint)
}

// Transport returns a new pooled *http.Transport for this endpoint: what
// the SDK sends every request through, local sockets included. Make one per
// Endpoint and share it: it is safe for concurrent use and keeps idle
// connections for reuse, as many as LocalIdleConns, TCPIdleConns or
// SSHIdleConns say, so that concurrent callers reuse their connections
// instead of redialing. Response heads are limited to 1 MiB.
//
// For unix, npipe and ssh endpoints its DialContext ignores the network and
// address the request asks for and dials the endpoint (requests go to
// BaseURL, whose host is only a placeholder), and no proxy is ever used. For
// tcp it dials the address asked for, so that http.ProxyFromEnvironment
// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) can route requests through a proxy,
// and TLSClientConfig is the endpoint's TLS.
//
// HTTP/2 is not attempted (the daemon speaks HTTP/1.1 and hijacks
// connections) and compression is off (the daemon does not compress; archives
// and streams must arrive as sent).
func (e *Endpoint) Transport() *http.Transport {
	t := &http.Transport{
		MaxIdleConnsPerHost:    LocalIdleConns,
		IdleConnTimeout:        idleTimeout,
		MaxResponseHeaderBytes: maxResponseHeader,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		ForceAttemptHTTP2:      false,
	}
	switch e.Scheme {
	case "tcp":
		t.DialContext = e.tcpDialFunc()
		t.Proxy = http.ProxyFromEnvironment
		t.MaxIdleConnsPerHost = TCPIdleConns
		if e.TLS != nil {
			t.TLSClientConfig = e.TLS.Clone()
		}
	case "ssh":
		t.MaxIdleConnsPerHost = SSHIdleConns
		t.IdleConnTimeout = sshIdleTimeout
		fallthrough
	default:
		t.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return e.DialContext(ctx)
		}
	}
	return t
}
