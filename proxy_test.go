package docker

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const proxyChildEnv = "DOCKER_SDK_PROXY_CHILD"

// TestHTTPClientReachesTheSocketNotAProxy: a caller's own http.Client
// (WithHTTPClient) with a unix host still reaches the socket, never
// HTTP_PROXY. net/http reads the proxy variables once per process, so the
// check runs in a child process of the test binary.
func TestHTTPClientReachesTheSocketNotAProxy(t *testing.T) {
	if os.Getenv(proxyChildEnv) != "" {
		httpClientProxyChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHTTPClientReachesTheSocketNotAProxy$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), proxyChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestHTTPClientReachesTheSocketNotAProxy") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func httpClientProxyChild(t *testing.T) {
	var proxied atomic.Int64
	proxy := listenHTTP(t, "tcp", "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		io.WriteString(w, `{"Id":"via proxy"}`)
	})
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		os.Setenv(k, "http://"+proxy)
	}
	os.Unsetenv("NO_PROXY")
	os.Unsetenv("no_proxy")
	sock := listenHTTP(t, "unix", filepath.Join(t.TempDir(), "d.sock"), func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"Id":"direct"}`)
	})
	for _, hc := range []*http.Client{{}, {Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}} {
		c, err := New(WithHost("unix://"+sock), WithHTTPClient(hc), WithoutVersionCheck())
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Id string }
		r := newRequest("ContainerInspect", "1.41", "GET", "/containers/{id}/json")
		r.PathParam("id", "x")
		if err := c.doJSON(context.Background(), r, &out); err != nil || out.Id != "direct" {
			t.Errorf("transport %T: got %q, %v; want the socket's answer", hc.Transport, out.Id, err)
		}
		c.Close()
	}
	if n := proxied.Load(); n != 0 {
		t.Errorf("the proxy saw %d requests meant for the unix socket", n)
	}
}

// listenHTTP serves h on a new listener until the test ends and returns its
// address.
func listenHTTP(t *testing.T, network, addr string, h http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String()
}
