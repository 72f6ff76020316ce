package dialer

import (
	"github.com/dockerclient/docker/internal/leakcheck"

	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeSSHEnv); mode != "" {
		os.Exit(fakeSSH(mode))
	}
	os.Exit(leakcheck.Main(m))
}

// leakCheck fails the test if, once its other cleanups have run, goroutines
// of net/http, net, crypto/tls, os/exec or this package are still alive.
// Call it first so that its cleanup runs last.
func leakCheck(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			bad := interestingGoroutines()
			if len(bad) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutine(s) leaked:\n\n%s", len(bad), strings.Join(bad, "\n\n"))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func interestingGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var bad []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "dialer.interestingGoroutines") {
			continue
		}
		if isInteresting(g) {
			bad = append(bad, g)
		}
	}
	return bad
}

// isInteresting reports whether a goroutine's stack runs code of net/http,
// net, crypto/tls, os/exec or this package, other than the goroutines that
// run the tests themselves.
func isInteresting(stack string) bool {
	for _, line := range strings.Split(stack, "\n") {
		for _, s := range []string{"net/http.", "net.(", "crypto/tls.", "os/exec."} {
			if strings.HasPrefix(line, s) {
				return true
			}
		}
		if _, fn, ok := strings.Cut(line, "/dialer."); ok && !strings.HasPrefix(line, "\t") {
			name, _, _ := strings.Cut(fn, "(")
			if name == "TestMain" || (strings.HasPrefix(name, "Test") && !strings.Contains(name, ".")) {
				continue // a test function waiting for its subtests
			}
			return true
		}
	}
	return false
}

// shortTempDir is a temporary directory with a short path, for unix
// sockets (whose paths are limited to about 100 bytes).
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	accepts *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepts.Add(1)
	}
	return c, err
}

// unixServer is an HTTP server on a unix socket in a temporary directory.
type unixServer struct {
	Path    string
	Accepts atomic.Int64
}

func startUnixHTTP(t *testing.T, h http.Handler) *unixServer {
	t.Helper()
	s := &unixServer{Path: filepath.Join(shortTempDir(t), "d.sock")}
	ln, err := net.Listen("unix", s.Path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() {
		srv.Serve(countingListener{ln, &s.Accepts})
		close(done)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return s
}

// pingHandler answers like the daemon's /_ping.
func pingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		io.WriteString(w, "OK")
	})
}

// get does a GET and returns the status and body.
func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// clientFor returns an HTTP client on ep.Transport() whose idle connections
// are closed when the test ends.
func clientFor(t *testing.T, ep *Endpoint) *http.Client {
	t.Helper()
	tr := ep.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// mapEnv is a getenv over a map.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is masked by umask
		t.Fatal(err)
	}
}

// testPKI is a CA with a server certificate for 127.0.0.1 and a client
// certificate, all generated in the test.
type testPKI struct {
	CAPEM      []byte
	CAPool     *x509.CertPool
	Server     tls.Certificate
	ClientPEM  []byte
	ClientKey  []byte
	ClientName string
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "dialer test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{CAPEM: pemBlock("CERTIFICATE", caDER), CAPool: x509.NewCertPool(), ClientName: "dialer test client"}
	p.CAPool.AddCert(ca)

	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, ips []net.IP, dns []string) (certPEM, keyPEM []byte) {
		key := newKey(t)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  ips,
			DNSNames:     dns,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return pemBlock("CERTIFICATE", der), pemBlock("EC PRIVATE KEY", keyDER)
	}
	scert, skey := issue(2, "dialer test server", x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")}, []string{"localhost"})
	if p.Server, err = tls.X509KeyPair(scert, skey); err != nil {
		t.Fatal(err)
	}
	p.ClientPEM, p.ClientKey = issue(3, p.ClientName, x509.ExtKeyUsageClientAuth, nil, nil)
	return p
}

// certDir writes ca.pem, cert.pem and key.pem (with the given mode) into a
// new directory.
func (p *testPKI) certDir(t *testing.T, keyMode os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, CAFile), p.CAPEM, 0o644)
	writeFile(t, filepath.Join(dir, CertFile), p.ClientPEM, 0o644)
	writeFile(t, filepath.Join(dir, KeyFile), p.ClientKey, keyMode)
	return dir
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
