// Package bench measures the SDK beside the official Go client
// (github.com/moby/moby/client) and a floor of plain net/http +
// encoding/json, against the same daemon.
//
// It is its own module so that the official client and its dependencies
// never enter the SDK's go.mod. The repository's go.work lists it; the
// footprint builds run with GOWORK=off, so that each program gets exactly
// the versions in bench/go.mod (see docs/benchmarks.md).
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	mobyclient "github.com/moby/moby/client"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// Kinds are the three clients compared, in the order rounds run them.
var Kinds = []string{"sdk", "official", "floor"}

// ListLabel, when not empty, is sent by every client's ContainerList as a
// label filter (with all=true), so that the list holds exactly the
// benchmark's containers even while others use the daemon. Set it before
// New.
var ListLabel = Label

// Client is what every benchmark calls. Each method is one typed call, as a
// user of that client would write it; results are returned so that the work
// cannot be optimised away.
type Client interface {
	Name() string
	Ping(ctx context.Context) error
	ContainerList(ctx context.Context) (int, error)
	ContainerInspect(ctx context.Context, id string) error
	ImageList(ctx context.Context) (int, error)
	// Logs reads a container's non-TTY logs (stdout and stderr) and
	// demultiplexes them into w; the floor copies the raw body.
	Logs(ctx context.Context, id string, w io.Writer) error
	// Attach attaches to a created container's stdout and stderr, calls
	// start, and demultiplexes the stream into w until it ends.
	Attach(ctx context.Context, id string, start func() error, w io.Writer) error
	// Dials is how many connections the client's transport has dialed.
	Dials() int64
	Close() error
}

// New returns the client of kind ("sdk", "official", "floor") for a
// unix:// host.
func New(kind, host string) (Client, error) {
	switch kind {
	case "sdk":
		return NewSDK(host)
	case "official":
		return NewOfficial(host)
	case "floor":
		return NewFloor(host)
	}
	return nil, fmt.Errorf("bench: unknown client %q", kind)
}

func socketPath(host string) (string, error) {
	p, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		return "", fmt.Errorf("bench: %q is not a unix:// host", host)
	}
	return p, nil
}

type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

func counting(n *atomic.Int64, dial dialFunc) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		n.Add(1)
		return dial(ctx, network, addr)
	}
}

// ---------------------------------------------------------------- SDK

// SDK is this repository's client, pinned to v141, with the transport
// docker.New uses by default (dialer.Endpoint.Transport, a pooled
// *http.Transport; runs D to F used a hand-made round tripper for unix
// sockets instead). Its dials are counted through docker.WithDialContext.
type SDK struct {
	c     *docker.Client
	api   *v141.Client
	dials atomic.Int64
	label string
}

func NewSDK(host string) (*SDK, error) {
	s := &SDK{label: ListLabel}
	var d net.Dialer
	c, err := docker.New(docker.WithHost(host), docker.WithDialContext(counting(&s.dials, d.DialContext)))
	if err != nil {
		return nil, err
	}
	s.c, s.api = c, v141.New(c)
	return s, nil
}

func (s *SDK) Name() string        { return "sdk" }
func (s *SDK) Dials() int64        { return s.dials.Load() }
func (s *SDK) Close() error        { return s.c.Close() }
func (s *SDK) API() *v141.Client   { return s.api }
func (s *SDK) Raw() *docker.Client { return s.c }

func (s *SDK) Ping(ctx context.Context) error {
	_, err := s.api.SystemPing(ctx)
	return err
}

func (s *SDK) ContainerList(ctx context.Context) (int, error) {
	opts := v141.ContainerListOptions{All: true}
	if s.label != "" {
		opts.Filters = docker.Filters{"label": {s.label}}
	}
	l, err := s.api.ContainerList(ctx, opts)
	return len(l), err
}

func (s *SDK) ContainerInspect(ctx context.Context, id string) error {
	_, err := s.api.ContainerInspect(ctx, id, v141.ContainerInspectOptions{})
	return err
}

func (s *SDK) ImageList(ctx context.Context) (int, error) {
	l, err := s.api.ImageList(ctx, v141.ImageListOptions{})
	return len(l), err
}

func (s *SDK) Logs(ctx context.Context, id string, w io.Writer) error {
	out, err := s.api.ContainerLogs(ctx, id, v141.ContainerLogsOptions{Stdout: true, Stderr: true})
	if err != nil {
		return err
	}
	defer out.Close()
	return out.Demux(w, w)
}

func (s *SDK) Attach(ctx context.Context, id string, start func() error, w io.Writer) error {
	conn, err := s.api.ContainerAttach(ctx, id, v141.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := start(); err != nil {
		return err
	}
	return conn.Output().Demux(w, w)
}

// ---------------------------------------------------------------- official

// Official is github.com/moby/moby/client as its README sets it up (API
// version negotiated on the first call, here 1.41), with its own transport
// defaults; only the dial is replaced by an equivalent counted unix dial.
type Official struct {
	c     *mobyclient.Client
	dials atomic.Int64
	label string
}

func NewOfficial(host string) (*Official, error) {
	path, err := socketPath(host)
	if err != nil {
		return nil, err
	}
	o := &Official{label: ListLabel}
	// The same dial go-connections' sockets.ConfigureTransport installs for
	// unix sockets.
	d := &net.Dialer{Timeout: 32 * time.Second}
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) { return d.DialContext(ctx, "unix", path) }
	c, err := mobyclient.New(mobyclient.WithHost(host), mobyclient.WithDialContext(counting(&o.dials, dial)))
	if err != nil {
		return nil, err
	}
	o.c = c
	return o, nil
}

func (o *Official) Name() string            { return "official" }
func (o *Official) Dials() int64            { return o.dials.Load() }
func (o *Official) Close() error            { return o.c.Close() }
func (o *Official) Raw() *mobyclient.Client { return o.c }

func (o *Official) Ping(ctx context.Context) error {
	_, err := o.c.Ping(ctx, mobyclient.PingOptions{})
	return err
}

func (o *Official) ContainerList(ctx context.Context) (int, error) {
	opts := mobyclient.ContainerListOptions{All: true}
	if o.label != "" {
		opts.Filters = make(mobyclient.Filters).Add("label", o.label)
	}
	r, err := o.c.ContainerList(ctx, opts)
	return len(r.Items), err
}

func (o *Official) ContainerInspect(ctx context.Context, id string) error {
	_, err := o.c.ContainerInspect(ctx, id, mobyclient.ContainerInspectOptions{})
	return err
}

func (o *Official) ImageList(ctx context.Context) (int, error) {
	r, err := o.c.ImageList(ctx, mobyclient.ImageListOptions{})
	return len(r.Items), err
}

func (o *Official) Logs(ctx context.Context, id string, w io.Writer) error {
	rc, err := o.c.ContainerLogs(ctx, id, mobyclient.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = stdcopy.StdCopy(w, w, rc)
	return err
}

func (o *Official) Attach(ctx context.Context, id string, start func() error, w io.Writer) error {
	r, err := o.c.ContainerAttach(ctx, id, mobyclient.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return err
	}
	defer r.Close()
	if err := start(); err != nil {
		return err
	}
	_, err = stdcopy.StdCopy(w, w, r.Reader)
	return err
}

// ---------------------------------------------------------------- floor

// Floor is what a hand-written client with net/http and encoding/json
// costs: one http.Transport dialing the socket (its idle pool sized at 64,
// as a careful author would), requests built by hand, responses decoded
// into the same generated v141 structs the SDK uses, so that SDK - floor is
// the cost of the SDK's runtime alone. Streams are copied raw (no demux).
type Floor struct {
	hc    *http.Client
	path  string
	list  string // the ContainerList path and query, built once
	dials atomic.Int64
}

const floorBase = "http://docker/v1.41"

func NewFloor(host string) (*Floor, error) {
	path, err := socketPath(host)
	if err != nil {
		return nil, err
	}
	f := &Floor{path: path, list: "/containers/json?all=1"}
	if ListLabel != "" {
		fl, _ := json.Marshal(map[string][]string{"label": {ListLabel}})
		f.list += "&filters=" + url.QueryEscape(string(fl))
	}
	var d net.Dialer
	t := &http.Transport{
		DialContext:         counting(&f.dials, func(ctx context.Context, _, _ string) (net.Conn, error) { return d.DialContext(ctx, "unix", path) }),
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true,
	}
	f.hc = &http.Client{Transport: t}
	return f, nil
}

func (f *Floor) Name() string { return "floor" }
func (f *Floor) Dials() int64 { return f.dials.Load() }
func (f *Floor) Close() error { f.hc.CloseIdleConnections(); return nil }

func (f *Floor) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, floorBase+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, b)
	}
	return resp, nil
}

func (f *Floor) getJSON(ctx context.Context, path string, out any) error {
	resp, err := f.get(ctx, path)
	if err != nil {
		return err
	}
	err = json.NewDecoder(resp.Body).Decode(out)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return err
}

func (f *Floor) Ping(ctx context.Context) error {
	resp, err := f.get(ctx, "/_ping")
	if err != nil {
		return err
	}
	_ = resp.Header.Get("Api-Version")
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

func (f *Floor) ContainerList(ctx context.Context) (int, error) {
	var l []v141.ContainerSummary
	err := f.getJSON(ctx, f.list, &l)
	return len(l), err
}

func (f *Floor) ContainerInspect(ctx context.Context, id string) error {
	var v v141.ContainerInspectResponse
	return f.getJSON(ctx, "/containers/"+id+"/json", &v)
}

func (f *Floor) ImageList(ctx context.Context) (int, error) {
	var l []v141.ImageSummary
	err := f.getJSON(ctx, "/images/json", &l)
	return len(l), err
}

func (f *Floor) Logs(ctx context.Context, id string, w io.Writer) error {
	resp, err := f.get(ctx, "/containers/"+id+"/logs?stdout=1&stderr=1")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

func (f *Floor) Attach(ctx context.Context, id string, start func() error, w io.Writer) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", f.path)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /v1.41/containers/"+id+"/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n"+
		"Host: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n")
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(conn, 32<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("attach: %s", resp.Status)
	}
	if err := start(); err != nil {
		return err
	}
	_, err = io.Copy(w, br)
	return err
}
