package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/dockerclient/docker/dialer"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// Client talks to one Docker daemon. It is safe for concurrent use and keeps
// a pool of connections sized for concurrent callers.
//
// A Client serves every version package at once: v141.New(c) and
// v125.New(c) share its connections. Each version package's calls are
// checked once against the daemon's accepted range before the first one is
// sent, so a pinned version the daemon cannot serve fails at once with the
// daemon's range in the error.
type Client struct {
	httpClient   *http.Client
	endpoint     *dialer.Endpoint // nil when the caller supplied only an HTTP client
	baseURL      string
	host         string // for messages
	userAgent    string
	version      string // asked for by option or DOCKER_API_VERSION; "" negotiates
	versionCheck bool
	dial         func(ctx context.Context, network, address string) (net.Conn, error)

	mu         sync.Mutex
	daemon     *VersionRange // learned once
	negotiated string
}

// Option configures a Client.
type Option func(*Client) error

// WithHost connects to a DOCKER_HOST-style address: unix:///path, tcp://h:p,
// ssh://user@host, npipe:////./pipe/docker_engine. The default is
// unix:///var/run/docker.sock.
func WithHost(host string) Option {
	return func(c *Client) error {
		ep, err := dialer.Parse(host)
		if err != nil {
			return err
		}
		c.setEndpoint(ep)
		return nil
	}
}

// WithEndpoint connects through an endpoint built with package dialer (for
// TLS settings, say).
func WithEndpoint(ep *dialer.Endpoint) Option {
	return func(c *Client) error {
		if ep == nil {
			return errors.New("docker: WithEndpoint: nil endpoint")
		}
		c.setEndpoint(ep)
		return nil
	}
}

// FromEnv reads DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH,
// DOCKER_CONTEXT (and the current context of ~/.docker/config.json) and
// DOCKER_API_VERSION.
func FromEnv() Option {
	return func(c *Client) error {
		ep, err := dialer.FromEnv()
		if err != nil {
			return err
		}
		c.setEndpoint(ep)
		if v := os.Getenv("DOCKER_API_VERSION"); v != "" {
			return WithAPIVersion(v)(c)
		}
		return nil
	}
}

// WithDialContext opens the client's connections with dial, for unix and
// tcp hosts (those of ssh:// and npipe:// dial their own way): to count,
// trace or route them. It gets "unix" and the socket path, or "tcp" and
// host:port; TLS is layered on what it returns. It applies to hijacked
// calls too.
func WithDialContext(dial func(ctx context.Context, network, address string) (net.Conn, error)) Option {
	return func(c *Client) error {
		if dial == nil {
			return errors.New("docker: WithDialContext: nil dial function")
		}
		c.dial = dial
		return nil
	}
}

// WithHTTPClient sends every request through hc, as the Perl client's `ua`
// did. The base URL still comes from the host; hijacked calls (attach,
// exec) dial the host directly when one is known. For a unix, npipe or ssh
// host, an *http.Transport in hc (or hc's default) is copied and made to dial
// the host, never a proxy; hc itself is left as it was.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("docker: WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithBaseURL sets the URL requests are made against, for an HTTP client
// that supplies its own transport (a test server, say).
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		c.baseURL = strings.TrimSuffix(u, "/")
		c.host = c.baseURL
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.userAgent = ua; return nil }
}

// WithAPIVersion makes Negotiate and Call use version v instead of
// negotiating. It does not change what a version package sends: v141 always
// speaks 1.41.
func WithAPIVersion(v string) Option {
	return func(c *Client) error {
		pv, err := parseAPIVersion(v)
		if err != nil {
			return err
		}
		if pv < sdkMinVersion || pv > sdkMaxVersion {
			return fmt.Errorf("docker: API version %s is outside what this SDK speaks (%s to %s)", v, MinAPIVersion, MaxAPIVersion)
		}
		c.version = pv.String()
		return nil
	}
}

// WithoutVersionCheck skips the check, made once before a version package's
// first call, that the daemon accepts that version. The daemon still refuses
// what it cannot serve.
func WithoutVersionCheck() Option {
	return func(c *Client) error { c.versionCheck = false; return nil }
}

const defaultUserAgent = "dockerclient-go"

// New returns a Client for unix:///var/run/docker.sock unless an option says
// otherwise. It does not connect: the first call does.
func New(opts ...Option) (*Client, error) {
	c := &Client{userAgent: defaultUserAgent, versionCheck: true}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.endpoint == nil && c.baseURL == "" {
		ep, err := dialer.Parse(dialer.DefaultHost)
		if err != nil {
			return nil, err
		}
		c.setEndpoint(ep)
	}
	if c.dial != nil {
		if err := c.useDial(); err != nil {
			return nil, err
		}
	}
	switch {
	case c.httpClient == nil:
		c.httpClient = &http.Client{Transport: c.endpoint.Transport()}
	case c.endpoint != nil && c.endpoint.Scheme != "tcp":
		c.httpClient = routedTo(c.endpoint, c.httpClient)
	}
	if c.httpClient.CheckRedirect == nil {
		// The daemon does not redirect; following one could carry
		// X-Registry-Auth to another host.
		hc := *c.httpClient
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		c.httpClient = &hc
	}
	return c, nil
}

// routedTo returns a copy of hc whose requests reach a unix, npipe or ssh
// endpoint: their URLs name a placeholder host, which a transport of
// net/http would look up in DNS, or send to HTTP_PROXY. A RoundTripper that
// is not an *http.Transport is the caller's own and decides for itself.
func routedTo(ep *dialer.Endpoint, hc *http.Client) *http.Client {
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return hc
	}
	own := ep.Transport() // how the endpoint dials, and its head limit
	t = t.Clone()
	t.Proxy = nil
	t.DialTLSContext = nil
	t.DialContext = own.DialContext
	if t.MaxResponseHeaderBytes == 0 {
		t.MaxResponseHeaderBytes = own.MaxResponseHeaderBytes
	}
	out := *hc
	out.Transport = t
	return &out
}

// NewFromEnv is New(FromEnv(), opts...): the usual way to connect.
func NewFromEnv(opts ...Option) (*Client, error) {
	return New(append([]Option{FromEnv()}, opts...)...)
}

// useDial puts WithDialContext's function on a copy of the endpoint, so
// that an endpoint the caller passed in is left as it was.
func (c *Client) useDial() error {
	if c.endpoint == nil {
		return errors.New("docker: WithDialContext needs a host (WithHost, WithEndpoint or FromEnv), not only a base URL")
	}
	switch c.endpoint.Scheme {
	case "unix", "tcp":
	default:
		return fmt.Errorf("docker: WithDialContext applies to unix:// and tcp:// hosts; %s dials its own way", c.endpoint.Host)
	}
	if c.httpClient != nil {
		return errors.New("docker: WithDialContext and WithHTTPClient both choose how to connect; use one")
	}
	ep := *c.endpoint
	ep.Dial = c.dial
	c.endpoint = &ep
	return nil
}

func (c *Client) setEndpoint(ep *dialer.Endpoint) {
	c.endpoint = ep
	c.baseURL = ep.BaseURL()
	c.host = ep.String()
}

// Host returns the daemon address the client talks to.
func (c *Client) Host() string { return c.host }

// Warnings returns what the endpoint's set-up noticed but did not refuse,
// such as a TLS key file that others can read.
func (c *Client) Warnings() []string {
	if c.endpoint == nil {
		return nil
	}
	return c.endpoint.Warnings
}

// HTTPClient returns the client requests go through.
func (c *Client) HTTPClient() *http.Client { return c.httpClient }

// Close releases idle connections.
func (c *Client) Close() error {
	c.httpClient.CloseIdleConnections()
	return nil
}

// ConnectError says that no daemon answered at the address.
type ConnectError struct {
	Host string
	Err  error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("docker: no Docker daemon answers at %s (%s)", e.Host, shortNetError(e.Err))
}

func (e *ConnectError) Unwrap() error { return e.Err }

func shortNetError(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ENOENT):
		return "no such socket"
	case errors.Is(err, syscall.EACCES):
		return "permission denied"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}

// do sends r and returns the response when its status is 2xx (or 304, which
// the daemon uses for "already started/stopped"). Any other status becomes an
// *Error, and the body is closed. The caller closes the body of a returned
// response.
func (c *Client) do(ctx context.Context, r *request) (*http.Response, error) {
	if err := c.checkRequestVersion(ctx, r); err != nil {
		return nil, err
	}
	req, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, c.transportError(r.Op, err)
	}
	if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotModified {
		return nil, errorFromResponse(resp, r.Op, r.APIVersion)
	}
	return resp, nil
}

func (c *Client) transportError(op string, err error) error {
	if isDialError(err) {
		return &ConnectError{Host: c.host, Err: err}
	}
	return fmt.Errorf("docker: %s: %w", op, err)
}

func (c *Client) newHTTPRequest(ctx context.Context, r *request) (*http.Request, error) {
	if err := argError(r); err != nil {
		return nil, err
	}
	path, err := r.URLPath()
	if err != nil {
		return nil, err
	}
	u := c.baseURL + path
	if q := r.RawQuery(); q != "" {
		u += "?" + q
	}
	body := r.Body
	if v, ok := r.JSON(); ok {
		b, err := jsonwire.Marshal(v)
		if err != nil {
			return nil, &ParamError{Op: r.Op, Param: "body", Msg: "cannot be encoded as JSON: " + err.Error()}
		}
		body = bytes.NewReader(b) // replayable: http.NewRequest sets GetBody
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u, body)
	if err != nil {
		return nil, fmt.Errorf("docker: %s: %w", r.Op, err)
	}
	if r.ContentType != "" && body != nil {
		req.Header.Set("Content-Type", r.ContentType)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	// A header the request names once replaces a default (Content-Type);
	// one it names again is repeated, as the session's method list is.
	hs := r.Headers()
	for i, h := range hs {
		if repeated(hs[:i], h[0]) {
			req.Header.Add(h[0], h[1])
		} else {
			req.Header.Set(h[0], h[1])
		}
	}
	return req, nil
}

// repeated reports whether headers name name already.
func repeated(headers [][2]string, name string) bool {
	for _, h := range headers {
		if http.CanonicalHeaderKey(h[0]) == http.CanonicalHeaderKey(name) {
			return true
		}
	}
	return false
}

// doJSON sends r and decodes a JSON response into out (unless out is nil).
// The body is decoded as it arrives, so memory holds the value being built,
// never a copy of the whole body, and a body that is not JSON fails at its
// first bytes. A 2xx answer whose body is empty or cut short is an error:
// the caller asked for a value and would otherwise get a zero one.
func (c *Client) doJSON(ctx context.Context, r *request, out any) error {
	resp, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	if out == nil || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		closeBody(resp.Body)
		return nil
	}
	// A body that failed to decode is closed, not drained: the rest may
	// never come.
	defer resp.Body.Close()
	dec := jsonwire.NewDecoder(resp.Body)
	if err := dec.Decode(out); err != nil {
		return decodeError(ctx, r.Op, err)
	}
	// The value must be the whole body, and the body must be whole: a
	// length the daemon announced but did not send means the value may be
	// someone else's, or a proxy cut it. Read to its end, the body frees
	// its connection for the next call.
	if err := expectEnd(io.MultiReader(dec.Buffered(), resp.Body)); err != nil {
		return decodeError(ctx, r.Op, err)
	}
	return nil
}

// maxTrailingSpace is how much white space after a JSON value is read
// looking for the end of the body; the daemon sends one newline.
const maxTrailingSpace = 4 << 10

var errTrailingData = errors.New("the response holds more than one JSON value")

// expectEnd reads what follows a decoded value: white space, then the end.
func expectEnd(r io.Reader) error {
	scratch := scratchPool.Get().(*[512]byte)
	defer scratchPool.Put(scratch)
	for seen := 0; seen < maxTrailingSpace; {
		n, err := r.Read(scratch[:])
		seen += n
		if len(bytes.TrimLeft(scratch[:n], " \t\r\n")) > 0 {
			return errTrailingData
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// decodeError explains why a typed response could not be decoded.
func decodeError(ctx context.Context, op string, err error) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("docker: %s: %w", op, ctx.Err())
	case err == io.EOF:
		return fmt.Errorf("docker: %s: the daemon answered with an empty body where a JSON value was expected", op)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("docker: %s: the response was cut short: %w", op, err)
	case err == errTrailingData:
		return fmt.Errorf("docker: %s: %w", op, err)
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return fmt.Errorf("docker: %s: decoding response: %w", op, err)
	}
	return fmt.Errorf("docker: %s: reading response: %w", op, err)
}

// doNoContent sends r and discards the response body.
func (c *Client) doNoContent(ctx context.Context, r *request) error {
	resp, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	closeBody(resp.Body)
	return nil
}

// doText sends r and returns a text/plain response.
func (c *Client) doText(ctx context.Context, r *request) (string, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	defer closeBody(resp.Body)
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return "", fmt.Errorf("docker: %s: reading response: %w", r.Op, err)
	}
	return string(b), nil
}

// doHeaders sends r and returns the response headers, discarding the body.
func (c *Client) doHeaders(ctx context.Context, r *request) (http.Header, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	closeBody(resp.Body)
	return resp.Header, nil
}

// closeBody drains a little of what is left so that the connection can be
// reused, then closes.
func closeBody(b io.ReadCloser) {
	scratch := scratchPool.Get().(*[512]byte)
	for drained := 0; drained < 4<<10; {
		n, err := b.Read(scratch[:])
		drained += n
		if err != nil {
			break
		}
	}
	scratchPool.Put(scratch)
	_ = b.Close()
}

// scratchPool holds drain buffers: one on the stack would escape through
// the io.Reader call and cost an allocation per request.
var scratchPool = sync.Pool{New: func() any { return new([512]byte) }}

// Ptr returns a pointer to v: the way to set an optional parameter or field,
// e.g. Timeout: docker.Ptr(10).
func Ptr[T any](v T) *T { return &v }
