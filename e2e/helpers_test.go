package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dialer"
	"github.com/dockerclient/docker/internal/testdaemon"
)

// labelKey marks every container, volume and network the suite creates, with
// the test's id (the version package, plus "-swarm" for the swarm test) as
// value, so that leftovers of an aborted run can be found and removed.
const labelKey = "dockersdk-e2e.version"

// daemonMu serializes the operations dockerd 20.10 refuses to run twice at
// once ("a disk usage operation is already running", "a prune operation is
// already running"): SystemDataUsage and the prunes.
var daemonMu sync.Mutex

// swarmMu serializes the swarm tests: a daemon is in one swarm at a time.
var swarmMu sync.Mutex

// suite is what one version's test shares among its steps.
type suite struct {
	pkg    string // "v141"
	id     string // names and labels this test's objects: "v141", "v141-swarm"
	api    string // "1.41"
	host   string
	c      *docker.Client
	ctx    context.Context
	image  string
	reqs   *requestLog
	daemon *daemonInfo
}

// newSuite starts a test of version package pkg (API version api): it runs
// in parallel with the other versions, connects a fresh client (so that the
// version check happens in this test), imports busybox once per binary and
// removes leftovers of an aborted run. kind ("" or "swarm") tells the
// lifecycle and swarm tests' objects apart; the result goes into into.
func newSuite(t *testing.T, pkg, api, kind string, into map[string]bool) *suite {
	t.Helper()
	t.Parallel()
	recordResult(t, into, pkg)
	host := testdaemon.Host(t)
	d, err := theDaemon()
	if err != nil {
		t.Fatalf("asking the daemon under test: %v", err)
	}
	if !d.serves(pkg) {
		t.Skipf("%s serves API %s to %s, not %s", d.Name(), d.versions.Min, d.versions.Max, api)
	}
	if kind == "swarm" && !d.swarm() {
		t.Skipf("%s has no swarm", d.Name())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel) // registered before the removals: runs after them
	s := &suite{pkg: pkg, id: pkg, api: api, host: host, ctx: ctx, reqs: &requestLog{}, daemon: d}
	if kind != "" {
		s.id += "-" + kind
	}
	ep, err := dialer.Parse(host)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &countingTransport{next: ep.Transport(), log: s.reqs}}
	s.c, err = docker.New(docker.WithEndpoint(ep), docker.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.c.Close() })
	s.image = busyboxImage(t, host)
	s.removeLeftovers(t)
	return s
}

// name returns a name unique to this test and what, e.g. e2e-v141-life.
func (s *suite) name(what string) string { return "e2e-" + s.id + "-" + what }

// labels returns the labels every object of this test carries.
func (s *suite) labels() map[string]string { return map[string]string{labelKey: s.id} }

// labelFilter selects the objects of this test.
func (s *suite) labelFilter() docker.Filters {
	return docker.Filters{"label": {labelKey + "=" + s.id}}
}

// cleanup registers fn to run when t ends, with a fresh context: removing
// what the test created. A "not found" is fine (the test removed it).
func (s *suite) cleanup(t *testing.T, what string, fn func(ctx context.Context) error) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := fn(ctx); err != nil && !docker.IsNotFound(err) {
			t.Errorf("cleanup: removing %s: %v", what, err)
		}
	})
}

// whileEndpointsLinger retries remove while the daemon answers 403 "has
// active endpoints": after SwarmLeave returns, dockerd 20.10 tears down its
// ingress sandbox, the last endpoint on docker_gwbridge, a moment later
// (longer on a busy machine). It gives up when ctx ends, with the last error.
func whileEndpointsLinger(ctx context.Context, remove func() error) error {
	for {
		err := remove()
		if !docker.IsForbidden(err) || !strings.Contains(err.Error(), "active endpoints") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// removeLeftovers removes containers, networks and volumes labelled for this
// test by an earlier, aborted run. It uses dynamic calls, which need no
// version-specific types.
func (s *suite) removeLeftovers(t *testing.T) {
	t.Helper()
	var containers []struct{ Id string }
	if err := s.c.CallVersion(s.ctx, s.api, "ContainerList",
		docker.Args{"all": true, "filters": s.labelFilter()}, &containers); err != nil {
		t.Fatalf("listing leftover containers: %v", err)
	}
	for _, c := range containers {
		t.Logf("removing leftover container %s", c.Id)
		if err := s.c.CallVersion(s.ctx, s.api, "ContainerDelete",
			docker.Args{"id": c.Id, "force": true}, nil); err != nil && !docker.IsNotFound(err) {
			t.Fatalf("removing leftover container %s: %v", c.Id, err)
		}
	}
	var networks []struct{ Id, Name string }
	if err := s.c.CallVersion(s.ctx, s.api, "NetworkList",
		docker.Args{"filters": s.labelFilter()}, &networks); err != nil {
		t.Fatalf("listing leftover networks: %v", err)
	}
	for _, n := range networks {
		t.Logf("removing leftover network %s", n.Name)
		if err := s.c.CallVersion(s.ctx, s.api, "NetworkDelete",
			docker.Args{"id": n.Id}, nil); err != nil && !docker.IsNotFound(err) {
			t.Fatalf("removing leftover network %s: %v", n.Name, err)
		}
	}
	var volumes struct{ Volumes []struct{ Name string } }
	if err := s.c.CallVersion(s.ctx, s.api, "VolumeList",
		docker.Args{"filters": s.labelFilter()}, &volumes); err != nil {
		t.Fatalf("listing leftover volumes: %v", err)
	}
	for _, v := range volumes.Volumes {
		t.Logf("removing leftover volume %s", v.Name)
		if err := s.c.CallVersion(s.ctx, s.api, "VolumeDelete",
			docker.Args{"name": v.Name, "force": true}, nil); err != nil && !docker.IsNotFound(err) {
			t.Fatalf("removing leftover volume %s: %v", v.Name, err)
		}
	}
}

// requestLog counts the requests a client sent, by method and path.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) add(r *http.Request) {
	l.mu.Lock()
	l.paths = append(l.paths, r.Method+" "+r.URL.Path)
	l.mu.Unlock()
}

// count returns how many requests were METHOD PATH.
func (l *requestLog) count(methodPath string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, p := range l.paths {
		if p == methodPath {
			n++
		}
	}
	return n
}

type countingTransport struct {
	next http.RoundTripper
	log  *requestLog
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.log.add(r)
	return c.next.RoundTrip(r)
}

func (c *countingTransport) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// demux reads a whole Output and returns stdout and stderr.
func demux(t *testing.T, what string, o *docker.Output) (stdout, stderr string) {
	t.Helper()
	defer o.Close()
	var out, errOut bytes.Buffer
	if err := o.Demux(&out, &errOut); err != nil {
		t.Errorf("%s: Demux: %v (stdout so far %q, stderr %q)", what, err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

// tarOf returns a tar archive of one regular file.
func tarOf(t *testing.T, name, content string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)),
		ModTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(tw, content); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readTar returns the regular files of a tar stream by name.
func readTar(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	files := map[string]string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("reading %s from tar: %v", h.Name, err)
		}
		files[h.Name] = string(b)
	}
}

// poll calls check every 100ms until it reports done, fails, or timeout
// passes.
func poll(t *testing.T, timeout time.Duration, what string, check func() (done bool, err error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, err := check()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not done after %s", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lineWaiter is a writer that closes seen once what it was given contains
// want. It is safe for one writer and any number of readers.
type lineWaiter struct {
	want string
	seen chan struct{}
	mu   sync.Mutex
	buf  strings.Builder
	once sync.Once
}

func newLineWaiter(want string) *lineWaiter {
	return &lineWaiter{want: want, seen: make(chan struct{})}
}

func (w *lineWaiter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() < 1<<16 {
		w.buf.Write(p)
	}
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *lineWaiter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// setBase64 stores data, base64-encoded, in a secret's or config's Data
// field. The field is a string from API 1.31; the specs of 1.25-1.30 declare
// it a list of strings (a spec defect, see /tmp/e2e-findings.md), which the
// daemon cannot decode: this helper compiles with both so that the test
// asserts the daemon's answer rather than failing to build.
func setBase64[T any](dst *T, data string) {
	enc := base64.StdEncoding.EncodeToString([]byte(data))
	switch d := any(dst).(type) {
	case *string:
		*d = enc
	case *[]string:
		*d = []string{enc}
	default:
		panic(fmt.Sprintf("setBase64: unexpected field type %T", dst))
	}
}

// untagged returns the Untagged entries of an ImageDelete result, whatever
// Go type the version gives it.
func untagged(t *testing.T, result any) []string {
	t.Helper()
	b, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	var items []struct{ Untagged string }
	if err := json.Unmarshal(b, &items); err != nil {
		t.Errorf("ImageDelete result %s is not a list: %v", b, err)
		return nil
	}
	var out []string
	for _, it := range items {
		if it.Untagged != "" {
			out = append(out, it.Untagged)
		}
	}
	return out
}

// containsID reports whether ids (a []string, or a string in versions whose
// spec types ContainerInspect's ExecIDs wrongly) holds id.
func containsID(ids any, id string) bool {
	v := reflect.ValueOf(ids)
	switch v.Kind() {
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if fmt.Sprint(v.Index(i).Interface()) == id {
				return true
			}
		}
	case reflect.String:
		return strings.Contains(v.String(), id)
	}
	return false
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isZero reports whether v is its type's zero value. (Image IDs are a
// struct in v1.36-1.38 by a generator defect, a string elsewhere.)
func isZero(v any) bool { return v == nil || reflect.ValueOf(v).IsZero() }

// repoTag is ref as the daemon lists it in RepoTags and untagged results:
// Podman names the registry (docker.io/dockersdk-e2e/busybox:latest).
func (s *suite) repoTag(ref string) string {
	if s.daemon.Podman {
		return "docker.io/" + ref
	}
	return ref
}

// Known daemon bugs, each for the daemons that have it; the tests expect the
// buggy answer there and the right one everywhere else.

// statsWithoutID: Docker 23 to 28 leave id and name out of a one-shot stats
// sample.
func (d *daemonInfo) statsWithoutID() bool {
	return !d.Podman && !d.dockerBefore(23, 0) && d.dockerBefore(29, 0)
}

// topAnswersEmpty: Podman 4.3's compat /containers/{id}/top answers 200 with
// an empty body.
func (d *daemonInfo) topAnswersEmpty() bool { return d.Podman }

// dfRacesRemovals: system df fails while another test removes a container,
// in Docker 29 with "rw layer snapshot not found" and in Podman 4.3 with "no
// such container".
func (d *daemonInfo) dfRacesRemovals(err error) bool {
	msg := err.Error()
	if d.Podman {
		return strings.Contains(msg, "no such container")
	}
	return !d.dockerBefore(29, 0) && strings.Contains(msg, "snapshot") && strings.Contains(msg, "not found")
}

// eventsUntilSlack is how far past now a test's events query ends: Podman
// stops reading its event log when the wall clock reaches until, not after
// the events up to it, and reading the log of a busy run takes a while.
func (d *daemonInfo) eventsUntilSlack() int64 {
	if d.Podman {
		return 5
	}
	return 1
}

// tagMu serializes the image tests' tags and deletes where the daemon loses
// concurrent ones.
var tagMu sync.Mutex

// serializeTags: Podman 4.3 keeps an image's names in one record that
// concurrent tags and untags of the same image overwrite, so a tag made by
// one version's test vanishes, or comes back after its delete. It returns
// the unlock.
func (d *daemonInfo) serializeTags() (unlock func()) {
	if !d.Podman {
		return func() {}
	}
	tagMu.Lock()
	return tagMu.Unlock
}

// tasksOutliveLeave is how long a swarm's task containers may outlive
// SwarmLeave: Docker 29 removes them a moment after leave returns, earlier
// daemons before.
func (d *daemonInfo) tasksOutliveLeave() time.Duration {
	if d.Podman || d.dockerBefore(29, 0) {
		return 0
	}
	return 30 * time.Second
}

// leaveRetrying leaves the swarm, and asks again when the daemon's own
// leave timed out: Docker 28 answered 500 "context deadline exceeded" once
// when stopping the node took longer than its limit while builds loaded
// the machine. The node goes on stopping; a later leave finds it out of
// the swarm, which leave takes as success.
func leaveRetrying(ctx context.Context, leave func(context.Context) error) error {
	err := leave(ctx)
	for i := 0; i < 3 && err != nil && ctx.Err() == nil && daemonTimedOut(err); i++ {
		time.Sleep(time.Second)
		err = leave(ctx)
	}
	return err
}

// daemonTimedOut reports whether err is a timeout inside the daemon (a
// 500), not one of this side's.
func daemonTimedOut(err error) bool {
	var de *docker.Error
	return errors.As(err, &de) && de.StatusCode == 500 && strings.Contains(de.Message, "context deadline exceeded")
}
