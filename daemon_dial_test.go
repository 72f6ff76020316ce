package docker_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// TestDaemonWithDialContext: every connection, pooled or hijacked, is
// opened by the function given to WithDialContext.
func TestDaemonWithDialContext(t *testing.T) {
	var (
		mu    sync.Mutex
		dials []string
	)
	dial := func(ctx context.Context, network, address string) (net.Conn, error) {
		mu.Lock()
		dials = append(dials, network+" "+address)
		mu.Unlock()
		var d net.Dialer
		return d.DialContext(ctx, network, address)
	}
	d := newDaemon(t, docker.WithDialContext(dial))
	socket := strings.TrimPrefix(d.host, "unix://")
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(dials) }

	ctx := ctxTimeout(t, time.Minute)
	if _, err := d.api.ContainerList(ctx, v141.ContainerListOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	pooled := count()
	if pooled == 0 {
		t.Fatal("the calls did not go through the dial function")
	}
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"echo", "hi"}, AttachStdout: true})
	h, err := d.api.ContainerAttach(ctx, id, v141.ContainerAttachOptions{Stream: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if count() != pooled+1 {
		t.Fatalf("the attach made %d dials, want its own one", count()-pooled)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, got := range dials {
		if got != "unix "+socket {
			t.Fatalf("dialed %q, want %q", got, "unix "+socket)
		}
	}
}

func TestWithDialContextRefusesWhatItCannotServe(t *testing.T) {
	dial := func(context.Context, string, string) (net.Conn, error) { return nil, nil }
	for _, c := range []struct {
		opts []docker.Option
		want string
	}{
		{[]docker.Option{docker.WithHost("ssh://user@example.com"), docker.WithDialContext(dial)}, "applies to unix:// and tcp://"},
		{[]docker.Option{docker.WithHTTPClient(&http.Client{}), docker.WithDialContext(dial)}, "use one"},
		{[]docker.Option{docker.WithDialContext(nil)}, "nil dial function"},
	} {
		if _, err := docker.New(c.opts...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error saying %q", err, c.want)
		}
	}
}
