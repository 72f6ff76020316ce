package dialer

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startTLSDaemon starts an HTTPS server with a certificate from pki that
// requires a client certificate signed by the same CA, and reports the
// client certificate's common name in its reply.
func startTLSDaemon(t *testing.T, pki *testPKI) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := ""
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		io.WriteString(w, "OK "+cn)
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{pki.Server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.CAPool,
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func tlsEndpoint(t *testing.T, srv *httptest.Server, env map[string]string) *Endpoint {
	t.Helper()
	env["DOCKER_HOST"] = "tcp://" + srv.Listener.Addr().String()
	if env["HOME"] == "" {
		env["HOME"] = t.TempDir()
	}
	ep, err := FromEnvironment(mapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func TestTLSVerified(t *testing.T) {
	leakCheck(t)
	pki := newPKI(t)
	srv := startTLSDaemon(t, pki)
	ep := tlsEndpoint(t, srv, map[string]string{"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": pki.certDir(t, 0o600)})

	if ep.TLS.MinVersion < tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want at least TLS 1.2", ep.TLS.MinVersion)
	}
	if len(ep.Warnings) != 0 {
		t.Errorf("warnings for a 0600 key: %q", ep.Warnings)
	}
	if !strings.HasPrefix(ep.BaseURL(), "https://127.0.0.1:") {
		t.Errorf("BaseURL = %q", ep.BaseURL())
	}
	tr := ep.Transport()
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion < tls.VersionTLS12 || tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("transport TLSClientConfig = %+v", tr.TLSClientConfig)
	}
	tr.CloseIdleConnections()

	c := clientFor(t, ep)
	if code, body := get(t, c, ep.BaseURL()+"/_ping"); code != 200 || body != "OK "+pki.ClientName {
		t.Errorf("GET /_ping = %d %q, want 200 with the client certificate seen", code, body)
	}

	// A raw connection (as for hijacked requests) is TLS, handshake done.
	conn, err := ep.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tc, ok := conn.(*tls.Conn)
	if !ok {
		t.Fatalf("DialContext returned %T, want *tls.Conn", conn)
	}
	if v := tc.ConnectionState().Version; !tc.ConnectionState().HandshakeComplete || v < tls.VersionTLS12 {
		t.Errorf("handshake complete %v, version %x", tc.ConnectionState().HandshakeComplete, v)
	}
	io.WriteString(conn, "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "OK "+pki.ClientName {
		t.Errorf("raw TLS request: %q", b)
	}
}

func TestTLSUntrustedServer(t *testing.T) {
	leakCheck(t)
	pki := newPKI(t)
	// A server whose certificate our CA did not sign.
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "OK") }))
	other.Config.ErrorLog = log.New(io.Discard, "", 0)
	other.StartTLS()
	t.Cleanup(other.Close)

	for name, env := range map[string]map[string]string{
		"DOCKER_TLS_VERIFY":      {"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": pki.certDir(t, 0o600)},
		"DOCKER_CERT_PATH alone": {"DOCKER_CERT_PATH": pki.certDir(t, 0o600)},
		"system roots":           {"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			ep := tlsEndpoint(t, other, env)
			c := clientFor(t, ep)
			_, err := c.Get(ep.BaseURL() + "/_ping")
			var ve *tls.CertificateVerificationError
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &ve) && !errors.As(err, &ua) {
				t.Errorf("GET from an untrusted server: %v, want a certificate verification error", err)
			}
			if _, err := ep.DialContext(context.Background()); !errors.As(err, &ve) {
				t.Errorf("DialContext to an untrusted server: %v, want a certificate verification error", err)
			}
		})
	}

	// DOCKER_TLS without DOCKER_TLS_VERIFY asks for no verification.
	ep := tlsEndpoint(t, other, map[string]string{"DOCKER_TLS": "1", "DOCKER_CERT_PATH": pki.certDir(t, 0o600)})
	if code, _ := get(t, clientFor(t, ep), ep.BaseURL()+"/_ping"); code != 200 {
		t.Errorf("DOCKER_TLS without verify: status %d", code)
	}
}

func TestTLSClientCertRequired(t *testing.T) {
	leakCheck(t)
	pki := newPKI(t)
	srv := startTLSDaemon(t, pki)
	dir := t.TempDir() // the CA only, no client certificate
	writeFile(t, filepath.Join(dir, CAFile), pki.CAPEM, 0o644)
	ep := tlsEndpoint(t, srv, map[string]string{"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": dir})
	if _, err := clientFor(t, ep).Get(ep.BaseURL() + "/_ping"); err == nil {
		t.Error("GET without a client certificate succeeded against a server requiring one")
	}
}

func TestLoadTLSKeyPermissions(t *testing.T) {
	pki := newPKI(t)
	for _, tt := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o400, false}, {0o640, true}, {0o644, true}, {0o604, true}} {
		dir := pki.certDir(t, tt.mode)
		cfg, warnings, err := LoadTLS(dir, true)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MinVersion < tls.VersionTLS12 || cfg.InsecureSkipVerify || len(cfg.Certificates) != 1 {
			t.Errorf("LoadTLS: %+v", cfg)
		}
		got := strings.Join(warnings, "\n")
		if tt.warn != (got != "") {
			t.Errorf("key mode %04o: warnings %q, want a warning %v", tt.mode, got, tt.warn)
		}
		if tt.warn && (!strings.Contains(got, filepath.Join(dir, KeyFile)) || !strings.Contains(got, "chmod 600")) {
			t.Errorf("warning %q should name the key file and the fix", got)
		}
	}
	cfg, warnings, err := LoadTLS("", false)
	if err != nil || !cfg.InsecureSkipVerify || cfg.MinVersion < tls.VersionTLS12 || warnings != nil {
		t.Errorf(`LoadTLS("", false) = %+v, %q, %v`, cfg, warnings, err)
	}
}
