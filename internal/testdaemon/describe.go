package testdaemon

import (
	"context"
	"strings"

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
