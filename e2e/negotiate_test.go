package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v142"
)

// The facade against the real daemon (dockerd 20.10: API 1.12 to 1.41).
func TestNegotiate(t *testing.T) {
	t.Parallel()
	host := testdaemon.Host(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	newClient := func(t *testing.T) *docker.Client {
		c, err := docker.New(docker.WithHost(host))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	t.Run("picks 1.41", func(t *testing.T) {
		c := newClient(t)
		v, err := c.Negotiate(ctx)
		if err != nil {
			t.Fatalf("Negotiate: %v", err)
		}
		if v != "1.41" || c.APIVersion() != "1.41" {
			t.Errorf("Negotiate = %q (APIVersion %q), want 1.41", v, c.APIVersion())
		}
		r, err := c.DaemonVersions(ctx)
		if err != nil {
			t.Fatalf("DaemonVersions: %v", err)
		}
		if r.Min != "1.12" || r.Max != "1.41" {
			t.Errorf("DaemonVersions = %+v, want 1.12 to 1.41", r)
		}
	})

	t.Run("v142 is refused before anything is sent", func(t *testing.T) {
		c := newClient(t)
		_, err := v142.New(c).ContainerList(ctx, v142.ContainerListOptions{All: true})
		var ve *docker.VersionError
		if !errors.As(err, &ve) {
			t.Fatalf("v142 ContainerList: %v (%T), want a *docker.VersionError", err, err)
		}
		if ve.Want != "1.42" || ve.Daemon.Min != "1.12" || ve.Daemon.Max != "1.41" {
			t.Errorf("VersionError %+v", ve)
		}
		if msg := err.Error(); !strings.Contains(msg, "1.12 to 1.41") || !strings.Contains(msg, "1.42") {
			t.Errorf("the error %q does not name the daemon's range 1.12 to 1.41 and the version asked, 1.42", msg)
		}
		// A second call fails the same way, without asking the daemon again.
		_, err2 := v142.New(c).SystemInfo(ctx)
		if !errors.As(err2, &ve) {
			t.Errorf("second v142 call: %v, want a *docker.VersionError", err2)
		}
	})

	t.Run("dynamic ContainerList", func(t *testing.T) {
		c := newClient(t)
		var out []map[string]any
		if err := c.Call(ctx, "ContainerList", docker.Args{"all": true}, &out); err != nil {
			t.Fatalf(`Call("ContainerList", all=true): %v`, err)
		}
		for _, ctr := range out {
			if _, ok := ctr["Id"].(string); !ok {
				t.Errorf("ContainerList entry without an Id: %v", ctr)
			}
		}
		var filtered []map[string]any
		if err := c.Call(ctx, "ContainerList", docker.Args{
			"all": true, "filters": docker.Filters{"label": {labelKey + "=no-such-version"}},
		}, &filtered); err != nil {
			t.Fatalf("Call(ContainerList) with filters: %v", err)
		}
		if len(filtered) != 0 {
			t.Errorf("ContainerList filtered by an unused label: %d containers", len(filtered))
		}
	})

	t.Run("dynamic VolumeUpdate needs 1.42", func(t *testing.T) {
		c := newClient(t)
		err := c.Call(ctx, "VolumeUpdate", docker.Args{"name": "x", "version": 1}, nil)
		if err == nil {
			t.Fatal(`Call("VolumeUpdate") succeeded against a 1.41 daemon`)
		}
		var ve *docker.VersionError
		if !errors.As(err, &ve) {
			t.Errorf("Call(VolumeUpdate): %v (%T), want a *docker.VersionError", err, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "VolumeUpdate needs API v1.42") || !strings.Contains(msg, "1.41") {
			t.Errorf("Call(VolumeUpdate): %q, want it to say VolumeUpdate needs API v1.42 and the daemon speaks 1.41", msg)
		}
	})
}
