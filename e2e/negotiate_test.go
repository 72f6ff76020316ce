package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dialer"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v142"
	"github.com/dockerclient/docker/v152"
	"github.com/dockerclient/docker/v157"
)

// The facade against the real daemon, whichever it is: the expected range
// is the one /version announces, read here without the SDK.
func TestNegotiate(t *testing.T) {
	t.Parallel()
	host := testdaemon.Host(t)
	d, err := theDaemon()
	if err != nil {
		t.Fatal(err)
	}
	// Generous: the lifecycle tests of every version load the daemon meanwhile.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	newClient := func(t *testing.T) *docker.Client {
		c, err := docker.New(docker.WithHost(host))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	announced := rawVersion(t, host)
	// The newest both speak: the daemon's newest, or the SDK's when the
	// daemon is newer.
	want := announced.APIVersion
	if docker.CompareVersions(want, docker.MaxAPIVersion) > 0 {
		want = docker.MaxAPIVersion
	}

	t.Run("picks the newest version both speak", func(t *testing.T) {
		c := newClient(t)
		v, err := c.Negotiate(ctx)
		if err != nil {
			t.Fatalf("Negotiate: %v", err)
		}
		if v != want || c.APIVersion() != want {
			t.Errorf("Negotiate = %q (APIVersion %q), want %s (%s announces %s to %s)",
				v, c.APIVersion(), want, d.Name(), announced.MinAPIVersion, announced.APIVersion)
		}
		r, err := c.DaemonVersions(ctx)
		if err != nil {
			t.Fatalf("DaemonVersions: %v", err)
		}
		if r.Min != announced.MinAPIVersion || r.Max != announced.APIVersion {
			t.Errorf("DaemonVersions = %+v, want %s to %s", r, announced.MinAPIVersion, announced.APIVersion)
		}
	})

	t.Run("a version above the daemon's is refused before anything is sent", func(t *testing.T) {
		above := nextVersion(announced.APIVersion)
		call, ok := pinnedCalls[above]
		if !ok {
			t.Skipf("%s speaks up to %s; this test has a pinned call for %s only",
				d.Name(), announced.APIVersion, strings.Join(pinnedVersions(), ", "))
		}
		c := newClient(t)
		err := call(ctx, c)
		var ve *docker.VersionError
		if !errors.As(err, &ve) {
			t.Fatalf("v%s ContainerList: %v (%T), want a *docker.VersionError", above, err, err)
		}
		if ve.Want != above || ve.Daemon.Min != announced.MinAPIVersion || ve.Daemon.Max != announced.APIVersion {
			t.Errorf("VersionError %+v", ve)
		}
		rng := announced.MinAPIVersion + " to " + announced.APIVersion
		if msg := err.Error(); !strings.Contains(msg, rng) || !strings.Contains(msg, above) {
			t.Errorf("the error %q does not name the daemon's range %s and the version asked, %s", msg, rng, above)
		}
		// A second call fails the same way, without asking the daemon again.
		if err2 := call(ctx, c); !errors.As(err2, &ve) {
			t.Errorf("second v%s call: %v, want a *docker.VersionError", above, err2)
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
		if docker.CompareVersions(announced.APIVersion, "1.42") >= 0 {
			t.Skipf("%s speaks %s, which has VolumeUpdate", d.Name(), announced.APIVersion)
		}
		c := newClient(t)
		err := c.Call(ctx, "VolumeUpdate", docker.Args{"name": "x", "version": 1}, nil)
		if err == nil {
			t.Fatal(`Call("VolumeUpdate") succeeded against a 1.41 daemon`)
		}
		var ve *docker.VersionError
		if !errors.As(err, &ve) {
			t.Errorf("Call(VolumeUpdate): %v (%T), want a *docker.VersionError", err, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "VolumeUpdate needs API v1.42") || !strings.Contains(msg, announced.APIVersion) {
			t.Errorf("Call(VolumeUpdate): %q, want it to say VolumeUpdate needs API v1.42 and the daemon speaks %s", msg, announced.APIVersion)
		}
	})
}

// pinnedCalls holds, for the version just above each daemon's newest
// (dockerd 20.10 and Podman 4.3: 1.41; Docker 28: 1.51; Docker 29: 1.56), a
// call through that version's package, which must be refused.
var pinnedCalls = map[string]func(context.Context, *docker.Client) error{
	"1.42": func(ctx context.Context, c *docker.Client) error {
		_, err := v142.New(c).ContainerList(ctx, v142.ContainerListOptions{All: true})
		return err
	},
	"1.52": func(ctx context.Context, c *docker.Client) error {
		_, err := v152.New(c).ContainerList(ctx, v152.ContainerListOptions{All: true})
		return err
	},
	"1.57": func(ctx context.Context, c *docker.Client) error {
		_, err := v157.New(c).ContainerList(ctx, v157.ContainerListOptions{All: true})
		return err
	},
}

func pinnedVersions() []string {
	var out []string
	for v := range pinnedCalls {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// nextVersion returns "1.42" for "1.41".
func nextVersion(v string) string {
	minor, err := strconv.Atoi(strings.TrimPrefix(v, "1."))
	if err != nil {
		return ""
	}
	return "1." + strconv.Itoa(minor+1)
}

// rawVersion reads GET /version with plain net/http, not the SDK.
func rawVersion(t *testing.T, host string) (v struct{ APIVersion, MinAPIVersion string }) {
	t.Helper()
	ep, err := dialer.Parse(host)
	if err != nil {
		t.Fatal(err)
	}
	tr := ep.Transport()
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: time.Minute}).Get("http://docker/version")
	if err != nil {
		t.Fatalf("GET /version: %v", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /version: %s, %v", resp.Status, err)
	}
	if v.APIVersion == "" || v.MinAPIVersion == "" {
		t.Fatalf("GET /version gave no ApiVersion or MinAPIVersion: %+v", v)
	}
	return v
}
