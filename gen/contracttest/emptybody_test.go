package contracttest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v125"
	"github.com/dockerclient/docker/v141"
	"github.com/dockerclient/docker/v156"
)

// TestZeroOptionsSendABody checks that an operation whose optional JSON body
// is left nil still sends one ({} or []): dockerd before 23.0 and Podman
// answer a request without it "400 Bad Request: got EOF while reading
// request body".
func TestZeroOptionsSendABody(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/version") {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ApiVersion":"1.56","MinAPIVersion":"1.12"}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		path := r.URL.Path[strings.Index(r.URL.Path[1:], "/")+1:] // without /v1.NN
		mu.Lock()
		bodies[r.Method+" "+path] = string(b) + " (" + r.Header.Get("Content-Type") + ")"
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(path, "/commit"), strings.HasSuffix(path, "/create"):
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"Id":"x"}`)
		case strings.HasSuffix(path, "/auth"):
			io.WriteString(w, `{"Status":"Login Succeeded"}`)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	rt, err := docker.New(docker.WithHost("tcp://" + strings.TrimPrefix(srv.URL, "http://")))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	ctx := context.Background()
	old, mid, cur := v125.New(rt), v141.New(rt), v156.New(rt)
	calls := []struct {
		name string
		call func() error
		key  string
		want string
	}{
		{"v125 ImageCommit", func() error { _, err := old.ImageCommit(ctx, v125.ImageCommitOptions{}); return err }, "POST /commit", "{}"},
		{"v141 ExecStart", func() error {
			s, err := mid.ExecStart(ctx, "x", v141.ExecStartOptions{})
			if err == nil {
				s.Close()
			}
			return nil // the fake daemon does not upgrade the connection
		}, "POST /exec/x/start", "{}"},
		{"v141 NodeUpdate", func() error { return mid.NodeUpdate(ctx, "x", v141.NodeUpdateOptions{Version: 1}) }, "POST /nodes/x/update", "{}"},
		{"v141 PluginSet", func() error { return mid.PluginSet(ctx, "x", v141.PluginSetOptions{}) }, "POST /plugins/x/set", "[]"},
		{"v156 SecretUpdate", func() error { return cur.SecretUpdate(ctx, "x", v156.SecretUpdateOptions{Version: 1}) }, "POST /secrets/x/update", "{}"},
		{"v156 VolumeUpdate", func() error { return cur.VolumeUpdate(ctx, "x", v156.VolumeUpdateOptions{Version: 1}) }, "PUT /volumes/x", "{}"},
	}
	for _, c := range calls {
		if err := c.call(); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		mu.Lock()
		got := bodies[c.key]
		mu.Unlock()
		if want := c.want + " (application/json)"; got != want {
			t.Errorf("%s sent %q, want %q", c.name, got, want)
		}
	}
}
