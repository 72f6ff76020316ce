package dialer

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Default TCP ports of the Docker daemon, used when a tcp:// host has none.
const (
	// DefaultPort is the daemon's conventional plain-HTTP port.
	DefaultPort = "2375"
	// DefaultTLSPort is the daemon's conventional TLS port.
	DefaultTLSPort = "2376"
)

// Endpoint is a parsed Docker daemon address plus how to reach it.
//
// Build one with Parse, FromEnv or FromEnvironment; the zero value is not
// usable. An Endpoint is safe for concurrent use once built; do not modify
// it while connections are being made.
type Endpoint struct {
	// Scheme is how the daemon is reached: "unix", "tcp", "ssh", "npipe" or
	// "fd". http:// and https:// hosts are parsed as "tcp".
	Scheme string
	// Address is what is dialed: the socket path for unix, host:port for
	// tcp, the pipe path (\\.\pipe\NAME) for npipe, host[:port] for ssh.
	Address string
	// Host is the daemon address as a normalised DOCKER_HOST-style string,
	// e.g. "unix:///var/run/docker.sock" or "tcp://10.0.0.2:2376".
	Host string
	// TLS is the client TLS configuration; non-nil only for tcp with TLS.
	TLS *tls.Config
	// SSH describes the ssh command for ssh:// hosts; nil otherwise.
	SSH *SSHTarget
	// Context is the name of the Docker context the endpoint came from, or
	// "" when it came from DOCKER_HOST, Parse or the default.
	Context string
	// Warnings are problems found while resolving the endpoint that do not
	// stop it from working, such as a TLS key readable by other users.
	// Callers decide whether and how to show them; the package never prints.
	Warnings []string

	// Dial, when set, opens the network connections of unix and tcp
	// endpoints in place of a net.Dialer: to count, trace or route them.
	// It is called with "unix" and the socket path, or "tcp" and host:port
	// (the proxy's, when an HTTP proxy applies); TLS is layered on what it
	// returns. ssh and npipe endpoints dial their own way and ignore it.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)

	// defaultPort is true when a tcp host named no port, so that turning
	// TLS on or off moves it between DefaultPort and DefaultTLSPort.
	defaultPort bool
}

// ParseError reports a DOCKER_HOST-style string that cannot be used, naming
// the input, what is wrong with it and, where useful, how to fix it.
type ParseError struct {
	Host    string // the input as given
	Problem string // what is wrong
	Hint    string // how to fix it; may be empty
}

// Error implements error.
func (e *ParseError) Error() string {
	s := fmt.Sprintf("dialer: %s in DOCKER_HOST %q", e.Problem, e.Host)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

func parseErr(host, hint, format string, args ...any) error {
	return &ParseError{Host: host, Problem: fmt.Sprintf(format, args...), Hint: hint}
}

// Parse parses a DOCKER_HOST-style daemon address.
//
// Accepted forms:
//
//	unix:///path/to/docker.sock   a unix socket
//	http+unix://%2Fpath%2Fto%2Fdocker.sock  the same, as the Perl Docker::Client wrote it
//	/path/to/docker.sock          a bare absolute path means a unix socket
//	tcp://host:port, tcp://host   plain TCP; the port defaults to 2375 (2376 once TLS is set)
//	http://host[:port]            the same as tcp://
//	https://host[:port]           TCP with TLS verified against the system roots; port 2376 by default
//	host:port                     a bare address means tcp://, as the docker CLI reads it
//	ssh://[user@]host[:port]      `docker system dial-stdio` run over the ssh client
//	npipe:////./pipe/NAME         a Windows named pipe
//	fd://                         accepted, but dialing it fails: socket activation is for daemons
//
// IPv6 hosts go in brackets (tcp://[::1]:2375). Paths after a tcp or ssh host,
// user info on tcp, passwords in ssh URLs, queries and fragments are errors.
// Errors are *ParseError values.
func Parse(host string) (*Endpoint, error) {
	orig := host
	host = strings.TrimSpace(host)
	if host == "" {
		return nil, parseErr(orig, "set it to e.g. "+DefaultHost+" or unset it to use the default", "empty address")
	}
	if strings.HasPrefix(host, "/") {
		return parseUnix(orig, host)
	}
	scheme, rest, ok := strings.Cut(host, "://")
	if !ok {
		if strings.Contains(host, "/") {
			return nil, parseErr(orig, "write unix:///absolute/path for a socket or tcp://host:port for TCP", "missing scheme")
		}
		// The docker CLI reads a bare "host[:port]" as tcp://.
		return parseTCP(orig, host, false)
	}
	switch strings.ToLower(scheme) {
	case "unix":
		return parseUnix(orig, rest)
	case "http+unix":
		// The Perl Docker::Client's form: the socket path percent-encoded
		// as the URL's host, e.g. http+unix://%2Fvar%2Frun%2Fdocker.sock.
		path, err := url.PathUnescape(strings.TrimSuffix(rest, "/"))
		if err != nil || !strings.HasPrefix(path, "/") {
			return nil, parseErr(orig, "write http+unix://%2Fpath%2Fto%2Fdocker.sock or unix:///path/to/docker.sock", "bad socket path %q", rest)
		}
		return parseUnix(orig, path)
	case "tcp", "http":
		return parseTCP(orig, rest, false)
	case "https":
		return parseTCP(orig, rest, true)
	case "ssh":
		return parseSSH(orig, rest)
	case "npipe":
		return parseNpipe(orig, rest)
	case "fd":
		if rest != "" && strings.Trim(rest, "0123456789*") != "" {
			return nil, parseErr(orig, "", "bad fd:// address %q", rest)
		}
		return &Endpoint{Scheme: "fd", Address: rest, Host: "fd://" + rest}, nil
	case "":
		return nil, parseErr(orig, "use unix, tcp, ssh or npipe", "missing scheme")
	default:
		return nil, parseErr(orig, "use unix, tcp, ssh or npipe", "unsupported scheme %q", scheme)
	}
}

func parseUnix(orig, path string) (*Endpoint, error) {
	if path == "" {
		return nil, parseErr(orig, "write unix:///path/to/docker.sock", "missing socket path")
	}
	if strings.ContainsAny(path, "?#\x00") {
		return nil, parseErr(orig, "", "bad character in socket path %q", path)
	}
	return &Endpoint{Scheme: "unix", Address: path, Host: "unix://" + path}, nil
}

func parseNpipe(orig, rest string) (*Endpoint, error) {
	if rest == "" {
		return nil, parseErr(orig, "write npipe:////./pipe/docker_engine", "missing pipe path")
	}
	addr := strings.ReplaceAll(rest, "/", `\`)
	// \\SERVER\pipe\NAME
	server, name, ok := strings.Cut(strings.TrimPrefix(addr, `\\`), `\`)
	if !strings.HasPrefix(addr, `\\`) || !ok || server == "" ||
		!strings.HasPrefix(strings.ToLower(name), `pipe\`) || len(name) == len(`pipe\`) {
		return nil, parseErr(orig, "write npipe:////./pipe/NAME", "bad pipe path %q", rest)
	}
	return &Endpoint{Scheme: "npipe", Address: addr, Host: "npipe://" + strings.ReplaceAll(addr, `\`, "/")}, nil
}

func parseTCP(orig, rest string, https bool) (*Endpoint, error) {
	if strings.ContainsAny(rest, "?#") {
		return nil, parseErr(orig, "", "a query or fragment is not allowed")
	}
	authority, path, _ := strings.Cut(rest, "/")
	if path != "" {
		return nil, parseErr(orig, "write tcp://host:port with nothing after the port", "unexpected path %q after the host", "/"+path)
	}
	if strings.Contains(authority, "@") {
		return nil, parseErr(orig, "tcp hosts take no user; use TLS client certificates", "user info %q is not allowed", authority[:strings.LastIndex(authority, "@")])
	}
	h, port, err := splitHostPort(orig, authority)
	if err != nil {
		return nil, err
	}
	ep := &Endpoint{Scheme: "tcp"}
	if port == "" {
		ep.defaultPort = true
		port = DefaultPort
	}
	ep.Address = net.JoinHostPort(h, port)
	ep.Host = "tcp://" + ep.Address
	if https {
		ep.setTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	return ep, nil
}

func parseSSH(orig, rest string) (*Endpoint, error) {
	if strings.ContainsAny(rest, "?#") {
		return nil, parseErr(orig, "", "a query or fragment is not allowed")
	}
	authority, path, _ := strings.Cut(rest, "/")
	if path != "" {
		return nil, parseErr(orig, "write ssh://[user@]host[:port]; the remote docker's own default socket is used", "unexpected path %q after the host", "/"+path)
	}
	var user string
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		user, authority = authority[:i], authority[i+1:]
		if user == "" {
			return nil, parseErr(orig, "", "empty user name before @")
		}
		if strings.Contains(user, ":") {
			return nil, parseErr(orig, "use an ssh key or ssh-agent", "a password in the URL is not allowed")
		}
		if strings.HasPrefix(user, "-") {
			return nil, parseErr(orig, "", "user name %q may not start with '-'", user)
		}
	}
	h, port, err := splitHostPort(orig, authority)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(h, "-") {
		return nil, parseErr(orig, "", "host %q may not start with '-'", h)
	}
	t := &SSHTarget{User: user, Host: h, Port: port}
	addr := h
	if port != "" {
		addr = net.JoinHostPort(h, port)
	}
	return &Endpoint{Scheme: "ssh", Address: addr, Host: "ssh://" + t.String(), SSH: t}, nil
}

// splitHostPort splits "host", "host:port", "[v6]" or "[v6]:port" and
// checks the port. The returned port is "" when none was given.
func splitHostPort(orig, authority string) (host, port string, err error) {
	if strings.HasPrefix(authority, "[") {
		end := strings.Index(authority, "]")
		if end < 0 {
			return "", "", parseErr(orig, "", "missing ']' in IPv6 address")
		}
		host = authority[1:end]
		after := authority[end+1:]
		if after != "" {
			p, ok := strings.CutPrefix(after, ":")
			if !ok {
				return "", "", parseErr(orig, "", "unexpected %q after IPv6 address", after)
			}
			port = p
			if err := checkPort(orig, port); err != nil {
				return "", "", err
			}
		}
		if host == "" {
			return "", "", parseErr(orig, "", "missing host")
		}
		if !strings.Contains(host, ":") {
			return "", "", parseErr(orig, "", "%q in brackets is not an IPv6 address", host)
		}
		if i := strings.IndexFunc(host, badHostRune); i >= 0 && host[i] != '%' {
			return "", "", parseErr(orig, "", "host %q holds the character %q", host, host[i:i+1])
		}
		return host, port, nil
	}
	switch strings.Count(authority, ":") {
	case 0:
		host = authority
	case 1:
		host, port, _ = strings.Cut(authority, ":")
		if err := checkPort(orig, port); err != nil {
			return "", "", err
		}
	default:
		return "", "", parseErr(orig, "write tcp://[::1]:2375", "IPv6 address %q must be in brackets", authority)
	}
	if host == "" {
		return "", "", parseErr(orig, "write tcp://host:port", "missing host")
	}
	if strings.HasPrefix(host, "-") {
		return "", "", parseErr(orig, "", "host %q may not start with '-'", host)
	}
	if i := strings.IndexFunc(host, badHostRune); i >= 0 {
		return "", "", parseErr(orig, "", "host %q holds the character %q", host, host[i:i+1])
	}
	return host, port, nil
}

// badHostRune rejects what no host name or address holds: spaces, control
// characters and URL delimiters (found by FuzzParse: "ssh:// /").
func badHostRune(r rune) bool {
	return r <= ' ' || r == 0x7f || strings.ContainsRune("/\\?#@[]<>\"'`{}|^%", r)
}

func checkPort(orig, port string) error {
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || strings.Trim(port, "0123456789") != "" {
		return parseErr(orig, "", "bad port %q: want a number from 1 to 65535", port)
	}
	return nil
}

// WithTLS returns a copy of a tcp endpoint that uses cfg for TLS, or plain
// TCP when cfg is nil. A tcp host that named no port moves to DefaultTLSPort
// (or back to DefaultPort), as the docker CLI does. Other schemes are an error:
// unix sockets, named pipes and ssh tunnels do not use TLS.
func (e *Endpoint) WithTLS(cfg *tls.Config) (*Endpoint, error) {
	if e.Scheme != "tcp" {
		return nil, fmt.Errorf("dialer: TLS applies to tcp:// hosts only, not %s", e.Host)
	}
	c := *e
	c.Warnings = append([]string(nil), e.Warnings...)
	c.setTLS(cfg)
	return &c, nil
}

func (e *Endpoint) setTLS(cfg *tls.Config) {
	e.TLS = cfg
	if e.defaultPort {
		h, _, _ := net.SplitHostPort(e.Address)
		port := DefaultPort
		if cfg != nil {
			port = DefaultTLSPort
		}
		e.Address = net.JoinHostPort(h, port)
		e.Host = "tcp://" + e.Address
	}
}

// apiHost is the fixed Host used in URLs for endpoints that are not
// addressed by host name. It is a valid host name that never resolves to
// anything outside the machine (RFC 6761 .localhost); the daemon ignores it.
const apiHost = "api.moby.localhost"

// BaseURL returns the scheme and host to build request URLs from, with no
// trailing slash: "http://api.moby.localhost" for unix, npipe, ssh and fd
// endpoints (so the Host header is fixed and valid), "http://host:port" or
// "https://host:port" for tcp.
func (e *Endpoint) BaseURL() string {
	if e.Scheme != "tcp" {
		return "http://" + apiHost
	}
	if e.TLS != nil {
		return "https://" + e.Address
	}
	return "http://" + e.Address
}

// String returns the normalised host, marked with "(TLS)" when TLS is on
// and with the Docker context it came from, if any.
func (e *Endpoint) String() string {
	s := e.Host
	if e.TLS != nil {
		s += " (TLS)"
	}
	if e.Context != "" {
		s += fmt.Sprintf(" (context %q)", e.Context)
	}
	return s
}
