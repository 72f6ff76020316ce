package dialer

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestDialHookOpensTCPConnections: Endpoint.Dial replaces the tcp dialer,
// with and without TLS, for requests and for DialContext alike.
func TestDialHookOpensTCPConnections(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "OK") })
		srv := httptest.NewUnstartedServer(handler)
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the closed DialContext conn is no error here
		if useTLS {
			srv.StartTLS()
		} else {
			srv.Start()
		}
		addr := strings.TrimPrefix(strings.TrimPrefix(srv.URL, "http://"), "https://")
		ep, err := Parse("tcp://" + addr)
		if err != nil {
			t.Fatal(err)
		}
		if useTLS {
			ep.TLS = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
		}
		var dials atomic.Int32
		ep.Dial = func(ctx context.Context, network, address string) (net.Conn, error) {
			if network != "tcp" || address != addr {
				t.Errorf("dial(%q, %q), want tcp %s", network, address, addr)
			}
			dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, address)
		}
		hc := &http.Client{Transport: ep.Transport()}
		resp, err := hc.Get(ep.BaseURL() + "/_ping")
		if err != nil {
			t.Fatalf("tls %v: %v", useTLS, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn, err := ep.DialContext(context.Background())
		if err != nil {
			t.Fatalf("tls %v: DialContext: %v", useTLS, err)
		}
		conn.Close()
		if string(body) != "OK" || dials.Load() != 2 {
			t.Errorf("tls %v: body %q, %d dials through the hook, want OK and 2", useTLS, body, dials.Load())
		}
		hc.CloseIdleConnections()
		srv.Close()
	}
}
