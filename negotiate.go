package docker

import (
	"context"
	"fmt"
	"net/http"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// DaemonVersions returns the API versions the daemon accepts, learned once
// from GET /version (ApiVersion, MinAPIVersion) and kept. A daemon whose
// /version fails is asked GET /_ping, whose API-Version header gives the
// newest version only.
func (c *Client) DaemonVersions(ctx context.Context) (VersionRange, error) {
	c.mu.Lock()
	if c.daemon != nil {
		r := *c.daemon
		c.mu.Unlock()
		return r, nil
	}
	c.mu.Unlock()

	r, err := c.fetchDaemonVersions(ctx)
	if err != nil {
		return VersionRange{}, err
	}
	c.mu.Lock()
	c.daemon = &r
	c.mu.Unlock()
	return r, nil
}

// knownDaemonVersions returns the daemon's range if it was learned already,
// without asking.
func (c *Client) knownDaemonVersions() VersionRange {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.daemon == nil {
		return VersionRange{}
	}
	return *c.daemon
}

func (c *Client) fetchDaemonVersions(ctx context.Context) (VersionRange, error) {
	// Unversioned paths: they answer whatever versions the daemon speaks.
	var v struct {
		APIVersion    string `json:"ApiVersion"`
		MinAPIVersion string `json:"MinAPIVersion"`
	}
	err := c.doJSON(ctx, newRequest("SystemVersion", "", http.MethodGet, "/version"), &v)
	if err == nil && v.APIVersion != "" {
		return checkedRange(c.host, "/version", v.MinAPIVersion, v.APIVersion)
	}
	if _, ok := err.(*ConnectError); ok {
		return VersionRange{}, err
	}
	h, pingErr := c.doHeaders(ctx, newRequest("SystemPing", "", http.MethodGet, "/_ping"))
	if pingErr != nil {
		if err != nil {
			return VersionRange{}, err
		}
		return VersionRange{}, pingErr
	}
	if max := h.Get("Api-Version"); max != "" {
		return checkedRange(c.host, "/_ping", "", max)
	}
	return VersionRange{}, fmt.Errorf("docker: the daemon at %s reported no API version on /version or /_ping", c.host)
}

// checkedRange refuses versions that are not 1.NN, so that what a daemon
// (or something posing as one) says can be quoted in errors safely.
func checkedRange(host, from, lo, hi string) (VersionRange, error) {
	for _, v := range []string{lo, hi} {
		if _, err := parseAPIVersion(v); v != "" && err != nil {
			return VersionRange{}, fmt.Errorf("docker: the daemon at %s reported API version %q on %s, which is not of the form 1.NN",
				host, v[:min(len(v), 32)], from)
		}
	}
	return VersionRange{Min: lo, Max: hi}, nil
}

// checkRequestVersion makes the check, once per client, that the daemon
// accepts the API version a version package's request is made with.
func (c *Client) checkRequestVersion(ctx context.Context, r *request) error {
	if r.APIVersion == "" || !c.versionCheck {
		return nil
	}
	return c.checkVersion(ctx, r.APIVersion, r.Op)
}

// checkVersion fails when the daemon does not accept version v.
func (c *Client) checkVersion(ctx context.Context, v, op string) error {
	r, err := c.DaemonVersions(ctx)
	if err != nil {
		return err
	}
	if !r.Contains(v) {
		return &VersionError{Op: op, Want: v, Daemon: r}
	}
	return nil
}

// Negotiate returns the API version to use with this daemon: the one set by
// WithAPIVersion or DOCKER_API_VERSION when the daemon accepts it, otherwise
// the newest version both the daemon and this SDK speak. The choice is kept
// for Call and APIVersion.
func (c *Client) Negotiate(ctx context.Context) (string, error) {
	c.mu.Lock()
	if c.negotiated != "" {
		v := c.negotiated
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()

	r, err := c.DaemonVersions(ctx)
	if err != nil {
		return "", err
	}
	var v string
	if c.version != "" {
		if !r.Contains(c.version) {
			return "", &VersionError{Want: c.version, Daemon: r}
		}
		v = c.version
	} else if v, err = Negotiate(r); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.negotiated = v
	c.mu.Unlock()
	return v, nil
}

// APIVersion returns the version chosen by Negotiate, or "" before it ran.
func (c *Client) APIVersion() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.negotiated
}

// Ping checks that the daemon answers, without an API version prefix.
func (c *Client) Ping(ctx context.Context) (PingInfo, error) {
	h, err := c.doHeaders(ctx, newRequest("SystemPing", "", http.MethodGet, "/_ping"))
	if err != nil {
		return PingInfo{}, err
	}
	return PingInfo{
		APIVersion:     h.Get("Api-Version"),
		OSType:         h.Get("Ostype"),
		Experimental:   h.Get("Docker-Experimental") == "true",
		BuilderVersion: h.Get("Builder-Version"),
		Swarm:          h.Get("Swarm"),
		PodmanVersion:  h.Get("Libpod-Api-Version"),
	}, nil
}

// PingInfo is what /_ping says in its headers.
type PingInfo struct {
	APIVersion     string // newest API version the daemon speaks
	OSType         string // "linux" or "windows"
	Experimental   bool
	BuilderVersion string // "1" (classic), "2" (BuildKit), or "" (the daemon's default: BuildKit, if it has one)
	Swarm          string // e.g. "inactive", "active/manager" (API 1.40+)
	PodmanVersion  string // Podman's version (its Libpod-Api-Version header); "" from Docker
}

// decodeJSON is shared by the stream types.
func decodeJSON(b []byte, v any) error { return jsonwire.Unmarshal(b, v) }
