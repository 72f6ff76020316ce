package testdaemon

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
)

// Daemon is what a test learns of the daemon under test from GET /version:
// the suites expect Podman's answer where it documentedly differs.
type Daemon struct {
	Version string // "20.10.24+dfsg1", "29.x (moby v2.0.0-beta.24)", "4.3.1"
	Podman  bool   // a component named "Podman Engine"
}

// Name is the daemon as the suites' messages name it: "dockerd 28.5.2",
// "podman 4.3.1".
func (d Daemon) Name() string {
	if d.Podman {
		return "podman " + d.Version
	}
	return "dockerd " + d.Version
}

// Describe asks the daemon c talks to what it is.
func Describe(ctx context.Context, c *docker.Client) (Daemon, error) {
	var v struct {
		Version    string
		Components []struct{ Name string }
	}
	if err := c.Call(ctx, "SystemVersion", nil, &v); err != nil {
		return Daemon{}, err
	}
	d := Daemon{Version: v.Version}
	for _, comp := range v.Components {
		d.Podman = d.Podman || strings.Contains(comp.Name, "Podman")
	}
	return d, nil
}

// described is the daemon under test, asked once per test binary.
var described struct {
	once sync.Once
	d    Daemon
	err  error
}

// Connect connects to the test daemon (skipping the test without one; see
// Host) with opts, closes the client when the test ends, and says what the
// daemon is, asking it once per test binary.
func Connect(t testing.TB, opts ...docker.Option) (*docker.Client, Daemon) {
	t.Helper()
	c, err := docker.New(append([]docker.Option{docker.WithHost(Host(t))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	described.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		described.d, described.err = Describe(ctx, c)
	})
	if described.err != nil {
		t.Fatal(described.err)
	}
	return c, described.d
}
