package dialer

import (
	"crypto/tls"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		scheme  string
		address string
		host    string
		tls     bool
		ssh     *SSHTarget
		baseURL string
	}{
		{in: "unix:///var/run/docker.sock", scheme: "unix", address: "/var/run/docker.sock", host: "unix:///var/run/docker.sock"},
		{in: "/var/run/docker.sock", scheme: "unix", address: "/var/run/docker.sock", host: "unix:///var/run/docker.sock"},
		{in: "http+unix://%2Fvar%2Frun%2Fdocker.sock", scheme: "unix", address: "/var/run/docker.sock", host: "unix:///var/run/docker.sock"},
		{in: "HTTP+UNIX://%2Frun%2Fuser%2F1000%2Fdocker.sock/", scheme: "unix", address: "/run/user/1000/docker.sock", host: "unix:///run/user/1000/docker.sock"},
		{in: "  unix:///tmp/d.sock\n", scheme: "unix", address: "/tmp/d.sock", host: "unix:///tmp/d.sock"},
		{in: "UNIX:///tmp/d.sock", scheme: "unix", address: "/tmp/d.sock", host: "unix:///tmp/d.sock"},
		{in: "unix://relative.sock", scheme: "unix", address: "relative.sock", host: "unix://relative.sock"},
		{in: "tcp://1.2.3.4:2375", scheme: "tcp", address: "1.2.3.4:2375", host: "tcp://1.2.3.4:2375", baseURL: "http://1.2.3.4:2375"},
		{in: "tcp://example.com", scheme: "tcp", address: "example.com:2375", host: "tcp://example.com:2375"},
		{in: "tcp://example.com:2376/", scheme: "tcp", address: "example.com:2376", host: "tcp://example.com:2376"},
		{in: "tcp://[::1]:2376", scheme: "tcp", address: "[::1]:2376", host: "tcp://[::1]:2376", baseURL: "http://[::1]:2376"},
		{in: "tcp://[::1]", scheme: "tcp", address: "[::1]:2375", host: "tcp://[::1]:2375"},
		{in: "http://h:8080", scheme: "tcp", address: "h:8080", host: "tcp://h:8080", baseURL: "http://h:8080"},
		{in: "https://h", scheme: "tcp", address: "h:2376", host: "tcp://h:2376", tls: true, baseURL: "https://h:2376"},
		{in: "https://h:443", scheme: "tcp", address: "h:443", host: "tcp://h:443", tls: true, baseURL: "https://h:443"},
		{in: "localhost:2375", scheme: "tcp", address: "localhost:2375", host: "tcp://localhost:2375"},
		{in: "docker-host", scheme: "tcp", address: "docker-host:2375", host: "tcp://docker-host:2375"},
		{in: "ssh://box", scheme: "ssh", address: "box", host: "ssh://box", ssh: &SSHTarget{Host: "box"}},
		{in: "ssh://me@box:2222", scheme: "ssh", address: "box:2222", host: "ssh://me@box:2222", ssh: &SSHTarget{User: "me", Host: "box", Port: "2222"}},
		{in: "ssh://me@box/", scheme: "ssh", address: "box", host: "ssh://me@box", ssh: &SSHTarget{User: "me", Host: "box"}},
		{in: "ssh://[::1]:22", scheme: "ssh", address: "[::1]:22", host: "ssh://[::1]:22", ssh: &SSHTarget{Host: "::1", Port: "22"}},
		{in: "ssh://me@[fe80::1]", scheme: "ssh", address: "fe80::1", host: "ssh://me@[fe80::1]", ssh: &SSHTarget{User: "me", Host: "fe80::1"}},
		{in: "ssh://first.last@corp@box", scheme: "ssh", address: "box", host: "ssh://first.last@corp@box", ssh: &SSHTarget{User: "first.last@corp", Host: "box"}},
		{in: "npipe:////./pipe/docker_engine", scheme: "npipe", address: `\\.\pipe\docker_engine`, host: "npipe:////./pipe/docker_engine"},
		{in: `npipe://\\.\pipe\docker_engine`, scheme: "npipe", address: `\\.\pipe\docker_engine`, host: "npipe:////./pipe/docker_engine"},
		{in: "npipe:////server/pipe/dockerDesktopEngine", scheme: "npipe", address: `\\server\pipe\dockerDesktopEngine`, host: "npipe:////server/pipe/dockerDesktopEngine"},
		{in: "fd://", scheme: "fd", address: "", host: "fd://"},
		{in: "fd://3", scheme: "fd", address: "3", host: "fd://3"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ep, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if ep.Scheme != tt.scheme || ep.Address != tt.address || ep.Host != tt.host {
				t.Errorf("Parse(%q) = {Scheme %q, Address %q, Host %q}, want {%q, %q, %q}",
					tt.in, ep.Scheme, ep.Address, ep.Host, tt.scheme, tt.address, tt.host)
			}
			if (ep.TLS != nil) != tt.tls {
				t.Errorf("Parse(%q).TLS = %v, want TLS %v", tt.in, ep.TLS, tt.tls)
			}
			if ep.TLS != nil && (ep.TLS.MinVersion < tls.VersionTLS12 || ep.TLS.InsecureSkipVerify) {
				t.Errorf("Parse(%q).TLS: MinVersion %x, InsecureSkipVerify %v; want >= TLS 1.2, verified", tt.in, ep.TLS.MinVersion, ep.TLS.InsecureSkipVerify)
			}
			switch {
			case tt.ssh == nil && ep.SSH != nil:
				t.Errorf("Parse(%q).SSH = %+v, want nil", tt.in, ep.SSH)
			case tt.ssh != nil && (ep.SSH == nil || ep.SSH.User != tt.ssh.User || ep.SSH.Host != tt.ssh.Host || ep.SSH.Port != tt.ssh.Port):
				t.Errorf("Parse(%q).SSH = %+v, want %+v", tt.in, ep.SSH, tt.ssh)
			}
			want := tt.baseURL
			if want == "" {
				want = "http://api.moby.localhost"
				if ep.Scheme == "tcp" {
					want = "http://" + tt.address
				}
			}
			if got := ep.BaseURL(); got != want {
				t.Errorf("Parse(%q).BaseURL() = %q, want %q", tt.in, got, want)
			}
			if !strings.HasPrefix(ep.String(), ep.Host) {
				t.Errorf("Parse(%q).String() = %q, want it to start with %q", tt.in, ep.String(), ep.Host)
			}
			// The normalised host parses to the same endpoint (https:// is
			// normalised to tcp:// with TLS, so that one loses its TLS).
			again, err := Parse(ep.Host)
			if err != nil {
				t.Fatalf("Parse(normalised %q): %v", ep.Host, err)
			}
			if again.Host != ep.Host || again.Address != ep.Address || again.Scheme != ep.Scheme {
				t.Errorf("Parse(%q) = %+v, not a fixed point of %+v", ep.Host, again, ep)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // substring of the error
	}{
		{"", "empty address"},
		{"   ", "empty address"},
		{"foo://x", `dialer: unsupported scheme "foo" in DOCKER_HOST "foo://x"; use unix, tcp, ssh or npipe`},
		{"ftp://h:21", `unsupported scheme "ftp"`},
		{"://x", "missing scheme"},
		{"var/run/docker.sock", "missing scheme"},
		{"unix://", "missing socket path"},
		{"http+unix://docker.sock", "bad socket path"},
		{"http+unix://%zz", "bad socket path"},
		{"http+unix://", "bad socket path"},
		{"unix:///tmp/d.sock?x=1", "bad character"},
		{"tcp://", "missing host"},
		{"tcp://:2375", "missing host"},
		{"tcp://h:", `bad port ""`},
		{"tcp://h:abc", `bad port "abc"`},
		{"tcp://h:0", `bad port "0"`},
		{"tcp://h:65536", `bad port "65536"`},
		{"tcp://h:+80", `bad port "+80"`},
		{"tcp://h:2375/path", `unexpected path "/path"`},
		{"http://h:2375/v1.41", `unexpected path "/v1.41"`},
		{"tcp://user@h:2375", "user info"},
		{"tcp://h:2375?x=1", "query"},
		{"tcp://h:2375#frag", "fragment"},
		{"tcp://::1:2375", "must be in brackets"},
		{"tcp://[::1", "missing ']'"},
		{"tcp://[::1]x", "unexpected"},
		{"tcp://[]:2375", "missing host"},
		{"ssh://", "missing host"},
		{"ssh://me@", "missing host"},
		{"ssh://box/var/run/docker.sock", `unexpected path "/var/run/docker.sock"`},
		{"ssh://me:secret@box", "password"},
		{"ssh://@box", "empty user"},
		{"ssh://box:99999", `bad port "99999"`},
		{"ssh://box:ssh", `bad port "ssh"`},
		{"ssh://-oProxyCommand=touch%20x", "may not start with '-'"},
		{"ssh://-l@box", "may not start with '-'"},
		{"ssh://box?x", "query"},
		{"npipe://", "missing pipe path"},
		{"npipe:////./notpipe/x", "bad pipe path"},
		{"npipe:////./pipe/", "bad pipe path"},
		{"npipe://docker_engine", "bad pipe path"},
		{"fd://abc", "bad fd"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ep, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error containing %q", tt.in, ep, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Host != tt.in {
				t.Errorf("Parse(%q) error %#v is not a *ParseError naming the input", tt.in, err)
			}
			if !strings.Contains(err.Error(), "DOCKER_HOST "+strconv.Quote(tt.in)) || !strings.HasPrefix(err.Error(), "dialer: ") {
				t.Errorf("Parse(%q) error = %q, want it to start with dialer: and quote the input", tt.in, err)
			}
		})
	}
}

func TestWithTLS(t *testing.T) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	ep, _ := Parse("tcp://h")
	on, err := ep.WithTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if on.Address != "h:2376" || on.Host != "tcp://h:2376" || on.TLS != cfg || on.BaseURL() != "https://h:2376" {
		t.Errorf("tcp://h with TLS = %+v, want h:2376 with TLS", on)
	}
	if ep.TLS != nil || ep.Address != "h:2375" {
		t.Errorf("WithTLS changed its receiver: %+v", ep)
	}
	off, _ := on.WithTLS(nil)
	if off.Address != "h:2375" || off.TLS != nil || off.BaseURL() != "http://h:2375" {
		t.Errorf("TLS off again = %+v, want h:2375 without TLS", off)
	}
	if !strings.Contains(on.String(), "(TLS)") {
		t.Errorf("String() = %q, want it to mention TLS", on.String())
	}

	explicit, _ := Parse("tcp://h:1234")
	if on, _ := explicit.WithTLS(cfg); on.Address != "h:1234" {
		t.Errorf("TLS moved an explicit port: %q", on.Address)
	}
	unix, _ := Parse("unix:///x.sock")
	if _, err := unix.WithTLS(cfg); err == nil {
		t.Error("WithTLS on a unix endpoint succeeded, want an error")
	}
}

func TestString(t *testing.T) {
	ep, _ := Parse("ssh://me@box")
	ep.Context = "remote"
	if got, want := ep.String(), `ssh://me@box (context "remote")`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
