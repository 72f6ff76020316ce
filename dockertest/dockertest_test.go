package dockertest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dockertest"
	"github.com/dockerclient/docker/v147"
)

// recT is a dockertest.T that keeps the failures for the test to check.
type recT struct {
	*testing.T
	mu   sync.Mutex
	errs []string
}

func (r *recT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, strings.TrimSpace(strings.ReplaceAll(format, "%s", "")+argString(args)))
}

func argString(args []any) string {
	var b strings.Builder
	for _, a := range args {
		if s, ok := a.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

func (r *recT) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.errs
	r.errs = nil
	return out
}

func client(t *testing.T, d *dockertest.Server) *v147.Client {
	t.Helper()
	c, err := docker.New(docker.WithHost(d.Host()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return v147.New(c)
}

func TestScriptedAnswerAndCalls(t *testing.T) {
	d := dockertest.Start(t, "1.47")
	d.Answer("ContainerList", dockertest.Answer{Body: []map[string]any{
		{"Id": "abc", "Names": []string{"/web"}, "State": "running"},
	}})
	api := client(t, d)
	list, err := api.ContainerList(context.Background(), v147.ContainerListOptions{All: true, Filters: docker.Filters{"label": {"app=web"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != "abc" || list[0].Names[0] != "/web" {
		t.Errorf("list %+v", list)
	}
	calls := d.CallsOf("ContainerList")
	if len(calls) != 1 || calls[0].Query.Get("all") != "true" || !strings.Contains(calls[0].Query.Get("filters"), "app=web") {
		t.Errorf("calls %+v", calls)
	}
	// A body is recorded decoded; path parameters by name.
	if _, err := api.ContainerCreate(context.Background(), v147.ContainerCreateOptions{Name: "web",
		Body: v147.ContainerCreateRequest{Image: "busybox", Cmd: []string{"true"}}}); err != nil {
		t.Fatal(err)
	}
	if err := api.ContainerStart(context.Background(), "web", v147.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	create := d.CallsOf("ContainerCreate")[0]
	var body struct{ Image string }
	if err := create.DecodeBody(&body); err != nil || body.Image != "busybox" || create.Body.(map[string]any)["Image"] != "busybox" {
		t.Errorf("create body %v %v %v", body, create.Body, err)
	}
	if start := d.CallsOf("ContainerStart"); len(start) != 1 || start[0].PathParams["id"] != "web" {
		t.Errorf("start calls %+v", start)
	}
}

func TestAnswersInOrderAndHandler(t *testing.T) {
	d := dockertest.Start(t, "1.47")
	d.Answer("ContainerInspect",
		dockertest.Answer{Body: map[string]any{"Id": "a", "State": map[string]any{"Status": "created"}}},
		dockertest.Answer{Body: map[string]any{"Id": "a", "State": map[string]any{"Status": "running"}}},
	)
	d.Handle("ContainerWait", func(c dockertest.Call) dockertest.Answer {
		return dockertest.Answer{Body: map[string]any{"StatusCode": len(c.PathParams["id"])}}
	})
	api := client(t, d)
	ctx := context.Background()
	var states []string
	for range 3 {
		r, err := api.ContainerInspect(ctx, "a", v147.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, string(r.State.Status))
	}
	if strings.Join(states, ",") != "created,running,running" {
		t.Errorf("states %v", states)
	}
	w, err := api.ContainerWait(ctx, "abcd", v147.ContainerWaitOptions{})
	if err != nil || w.StatusCode != 4 {
		t.Errorf("wait %+v %v", w, err)
	}
}

func TestNonConformingRequestFailsTheTest(t *testing.T) {
	rt := &recT{T: t}
	d := dockertest.Start(rt, "1.47")
	u := "http://" + strings.TrimPrefix(d.Host(), "tcp://") + "/v1.47/containers/json?limit=ten&bogus=1"
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), `"message"`) || !strings.Contains(string(b), "not an integer") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	f := strings.Join(rt.failures(), "\n")
	for _, want := range []string{"ContainerList", `"ten" is not an integer`, `unknown query parameter "bogus" (the operation declares all, filters, limit, size)`} {
		if !strings.Contains(f, want) {
			t.Errorf("failures %q lack %q", f, want)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestScriptsAreCheckedAgainstTheSpec(t *testing.T) {
	rt := &recT{T: t}
	d := dockertest.Start(rt, "1.47")
	for _, c := range []struct {
		op   string
		a    dockertest.Answer
		want string
	}{
		{"ContainerList", dockertest.Answer{Body: map[string]any{"Id": "x"}}, "want array, got object"},
		{"ContainerList", dockertest.Answer{Body: []any{map[string]any{"Names": "web"}}}, "body[0].Names: want array, got string"},
		{"ContainerList", dockertest.Answer{Status: 418}, "status 418 is not one the spec declares (200, 400, 500)"},
		{"ContainerStart", dockertest.Answer{Body: map[string]any{"x": 1}}, "a body with status 204"},
		{"ContainerList", dockertest.Answer{Frames: []dockertest.Frame{dockertest.Stdout("x")}}, "without a stream"},
		{"SystemEvents", dockertest.Answer{Frames: []dockertest.Frame{dockertest.Message(map[string]any{"Type": 5})}}, "frame 1.Type: want string"},
		{"ContainerLogs", dockertest.Answer{Frames: []dockertest.Frame{{Stream: 3}}}, "stream 3"},
		{"ContainerLiist", dockertest.Answer{}, `"ContainerLiist" is not an operation of API v1.47 (did you mean`},
	} {
		d.Answer(c.op, c.a)
		f := rt.failures()
		if len(f) == 0 || !strings.Contains(strings.Join(f, "\n"), c.want) {
			t.Errorf("%s %+v: failures %q, want %q", c.op, c.a, f, c.want)
		}
	}
	d.Answer("ContainerList", dockertest.Error(500, "boom"))
	if f := rt.failures(); len(f) != 0 {
		t.Errorf("an error answer the spec declares: %q", f)
	}
	_, err := client(t, d).ContainerList(context.Background(), v147.ContainerListOptions{})
	var de *docker.Error
	if !errors.As(err, &de) || de.StatusCode != 500 || !strings.Contains(de.Message, "boom") {
		t.Errorf("err %v", err)
	}
}

func TestStreams(t *testing.T) {
	d := dockertest.Start(t, "1.47")
	api := client(t, d)
	ctx := context.Background()

	d.Answer("ContainerLogs", dockertest.Answer{Frames: []dockertest.Frame{
		dockertest.Stdout("out 1\n"), dockertest.Stderr("err 1\n"), dockertest.Stdout("out 2\n"),
	}})
	out, err := api.ContainerLogs(ctx, "web", v147.ContainerLogsOptions{Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if err := out.Demux(&stdout, &stderr); err != nil || stdout.String() != "out 1\nout 2\n" || stderr.String() != "err 1\n" {
		t.Errorf("logs %q %q %v", stdout.String(), stderr.String(), err)
	}

	d.Answer("ImageCreate", dockertest.Answer{Frames: []dockertest.Frame{
		dockertest.Message(map[string]any{"status": "Pulling from library/busybox", "id": "latest"}),
		dockertest.ProgressError("manifest unknown"),
	}})
	s, err := api.ImageCreate(ctx, v147.ImageCreateOptions{FromImage: "busybox", Tag: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, err = range s.All() {
		if err != nil {
			break
		}
		n++
	}
	s.Close()
	if n != 1 || err == nil || !strings.Contains(err.Error(), "manifest unknown") {
		t.Errorf("pull: %d messages, err %v", n, err)
	}

	d.Answer("SystemEvents", dockertest.Answer{Frames: []dockertest.Frame{
		dockertest.Message(map[string]any{"Type": "container", "Action": "start", "Actor": map[string]any{"ID": "abc"}}),
		{Value: map[string]any{"Type": "container", "Action": "die"}, Delay: 20 * time.Millisecond},
	}})
	ev, err := api.SystemEvents(ctx, v147.SystemEventsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for ev.Next() {
		actions = append(actions, string(ev.Value().Action))
	}
	ev.Close()
	if strings.Join(actions, ",") != "start,die" || ev.Err() != nil {
		t.Errorf("events %v %v", actions, ev.Err())
	}

	d.Answer("ContainerAttach", dockertest.Answer{Frames: []dockertest.Frame{dockertest.Stdout("hello\n")}})
	h, err := api.ContainerAttach(ctx, "web", v147.ContainerAttachOptions{Stream: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if err := h.Output().Demux(&stdout, io.Discard); err != nil || stdout.String() != "hello\n" {
		t.Errorf("attach %q %v", stdout.String(), err)
	}
	h.Close()
}

func TestFaults(t *testing.T) {
	d := dockertest.Start(t, "1.47")
	api := client(t, d)
	ctx := context.Background()

	d.Fault("ContainerList", dockertest.Fault{Status: 500, Message: "daemon busy", Times: 1})
	if _, err := api.ContainerList(ctx, v147.ContainerListOptions{}); !docker.IsServerError(err) || !strings.Contains(err.Error(), "daemon busy") {
		t.Errorf("status fault: %v", err)
	}
	if _, err := api.ContainerList(ctx, v147.ContainerListOptions{}); err != nil {
		t.Errorf("after Times: %v", err)
	}

	d.Fault("", dockertest.Fault{Delay: time.Second})
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err := api.ContainerList(short, v147.ContainerListOptions{})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delay fault: %v", err)
	}
	d.ClearFaults()

	d.Fault("ContainerInspect", dockertest.Fault{Close: true, After: 10})
	if _, err := api.ContainerInspect(ctx, "x", v147.ContainerInspectOptions{}); err == nil {
		t.Error("connection closed mid-body: no error")
	} else {
		t.Logf("closed mid-body: %v", err)
	}

	d.Answer("ContainerLogs", dockertest.Answer{Frames: []dockertest.Frame{dockertest.Stdout("0123456789"), dockertest.Stdout("abc")}})
	d.Fault("ContainerLogs", dockertest.Fault{Truncate: true, After: 8 + 10 + 4})
	out, err := api.ContainerLogs(ctx, "x", v147.ContainerLogsOptions{Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	err = out.Demux(&got, io.Discard)
	if got.String() != "0123456789" || err == nil {
		t.Errorf("truncated stream: %q %v", got.String(), err)
	}

	d.Fault("ContainerCreate", dockertest.Fault{ReadRate: 2000})
	start := time.Now()
	big := strings.Repeat("x", 1000)
	if _, err := api.ContainerCreate(ctx, v147.ContainerCreateOptions{
		Body: v147.ContainerCreateRequest{Image: "busybox", Cmd: []string{big}}}); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Errorf("a 1 KB body at 2000 B/s read in %v", el)
	}

	rt := &recT{T: t}
	d2 := dockertest.Start(rt, "1.47")
	d2.Fault("NoSuchOp", dockertest.Fault{})
	if f := rt.failures(); len(f) != 1 || !strings.Contains(f[0], `"NoSuchOp" is not an operation`) {
		t.Errorf("fault on an unknown operation: %q", f)
	}
}

func TestUnixSocketAndBadInput(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "docker.sock")
	d := dockertest.Start(t, "1.25", dockertest.Listen("unix://"+sock))
	if d.Host() != "unix://"+sock || d.Version() != "1.25" {
		t.Errorf("host %q version %q", d.Host(), d.Version())
	}
	c, err := docker.New(docker.WithHost(d.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := c.Negotiate(context.Background()); err != nil || v != "1.25" {
		t.Errorf("negotiate: %q %v", v, err)
	}
	for _, c := range []struct {
		version string
		opts    []dockertest.Option
		want    string
	}{
		{"1.12", nil, `no spec for API version "1.12"; this SDK has 1.25 to`},
		{"1.47", []dockertest.Option{dockertest.Listen("tcp://0.0.0.0:0")}, "not a loopback address"},
		{"1.47", []dockertest.Option{dockertest.Listen("http://x")}, "unknown scheme"},
	} {
		if _, err := dockertest.NewServer(c.version, c.opts...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewServer(%s, %v): %v, want %q", c.version, c.opts, err, c.want)
		}
	}
}

// Scripted answers are checked for required properties and enums (with
// the documented allowance for what daemons send beyond the spec), and so
// are request bodies.
func TestRequiredAndEnumsAreChecked(t *testing.T) {
	rt := &recT{T: t}
	d := dockertest.Start(rt, "1.47")
	d.Answer("ContainerCreate", dockertest.Answer{Body: map[string]any{}})
	d.Answer("ContainerInspect", dockertest.Answer{Body: map[string]any{"State": map[string]any{"Status": "bogus"}}})
	fails := strings.Join(rt.failures(), "\n")
	for _, want := range []string{`required property "Id" is missing`, `body.State.Status: "bogus" is not one of`} {
		if !strings.Contains(fails, want) {
			t.Errorf("failures %s\nlack %s", fails, want)
		}
	}
	d.Answer("ContainerInspect", dockertest.Answer{Body: map[string]any{"State": map[string]any{"Status": "stopping", "Health": map[string]any{"Status": ""}}}})
	if f := rt.failures(); len(f) > 0 {
		t.Errorf("the allowance for what daemons send: failures %q", f)
	}
	req, _ := http.NewRequest("POST", base(d)+"/v1.47/containers/create", strings.NewReader(`{"Image":"x","HostConfig":{"RestartPolicy":{"Name":"sometimes"},"CgroupnsMode":""}}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if f := rt.failures(); resp.StatusCode != 400 || len(f) != 1 || !strings.Contains(f[0], `"sometimes" is not one of`) {
		t.Errorf("a request with a bad enum: %d, failures %q; want 400 and one failure", resp.StatusCode, f)
	}
}

// Booleans are what dockerd's boolValue takes: any value, "", "0", "no",
// "false" and "none" (in any case) being false. docker-py sends "True".
func TestBooleansAsDockerdReadsThem(t *testing.T) {
	rt := &recT{T: t}
	d := dockertest.Start(rt, "1.47")
	for _, q := range []string{"force=True", "force=yes", "force=", "force=NONE", "force=1"} {
		if code, body := get(t, "DELETE", base(d)+"/v1.47/containers/abc?"+q); code/100 != 2 {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	if f := rt.failures(); len(f) > 0 {
		t.Errorf("failures %q", f)
	}
}

// The fake serves one version: /version says so, an unversioned path is
// that version (as dockerd serves it), another version's path is refused.
func TestVersionRange(t *testing.T) {
	rt := &recT{T: t}
	d := dockertest.Start(rt, "1.47")
	for _, p := range []string{"/version", "/v1.47/version"} {
		_, body := get(t, "GET", base(d)+p)
		var v struct{ ApiVersion, MinAPIVersion string }
		if err := json.Unmarshal([]byte(body), &v); err != nil || v.ApiVersion != "1.47" || v.MinAPIVersion != "1.47" {
			t.Errorf("%s: %s; want ApiVersion and MinAPIVersion 1.47", p, body)
		}
	}
	if code, body := get(t, "GET", base(d)+"/containers/json"); code != 200 {
		t.Errorf("unversioned path: %d %s", code, body)
	}
	if f := rt.failures(); len(f) > 0 {
		t.Errorf("failures %q", f)
	}
	if code, _ := get(t, "GET", base(d)+"/v1.41/containers/json"); code != 400 {
		t.Errorf("another version's path: %d, want 400", code)
	}
	if f := rt.failures(); len(f) != 1 || !strings.Contains(f[0], "does not start with /v1.47") {
		t.Errorf("failures %q", f)
	}
}

// Fault{Close} applies to an empty answer (the connection drops before
// it) and to a hijacked stream (after After bytes); a fault that cannot
// apply fails the test; a refused request does not use up a fault.
func TestFaultsApplyEverywhere(t *testing.T) {
	rt := &recT{T: t}
	d := dockertest.Start(rt, "1.47")
	d.Fault("ContainerStart", dockertest.Fault{Close: true, Times: 1})
	req, _ := http.NewRequest("POST", base(d)+"/v1.47/containers/x/start", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("ContainerStart with Fault{Close}: %d, want the connection closed", resp.StatusCode)
	}
	d.Fault("ContainerStop", dockertest.Fault{Truncate: true, Times: 1})
	get(t, "POST", base(d)+"/v1.47/containers/x/stop")
	if f := rt.failures(); len(f) != 1 || !strings.Contains(f[0], "cannot apply") {
		t.Errorf("Truncate of an empty answer: failures %q, want one saying it cannot apply", f)
	}

	d.Fault("ContainerAttach", dockertest.Fault{Close: true, After: 3})
	c, err := net.Dial("tcp", strings.TrimPrefix(d.Host(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /v1.47/containers/x/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("attach: %v %v", resp, err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	rest, _ := io.ReadAll(br)
	if len(rest) != 3 {
		t.Errorf("attach with Fault{Close, After: 3}: %d bytes (%q), want 3", len(rest), rest)
	}

	d.Fault("ContainerList", dockertest.Fault{Status: 500, Times: 1})
	if code, _ := get(t, "GET", base(d)+"/v1.47/containers/json?bogus=1"); code != 400 {
		t.Errorf("a bad request: %d, want 400", code)
	}
	rt.failures()
	if code, _ := get(t, "GET", base(d)+"/v1.47/containers/json"); code != 500 {
		t.Errorf("the good call after a bad one: %d, want the fault's 500", code)
	}
}

// Output is labelled as dockerd labels it: raw-stream for a TTY's raw
// frames, and for every stream before API 1.42.
func TestOutputContentType(t *testing.T) {
	for _, c := range []struct {
		version string
		frames  []dockertest.Frame
		want    string
	}{
		{"1.47", []dockertest.Frame{{Data: []byte("tty output\n")}}, "application/vnd.docker.raw-stream"},
		{"1.47", []dockertest.Frame{dockertest.Stdout("out\n")}, "application/vnd.docker.multiplexed-stream"},
		{"1.41", []dockertest.Frame{dockertest.Stdout("out\n")}, "application/vnd.docker.raw-stream"},
	} {
		d := dockertest.Start(t, c.version)
		d.Answer("ContainerLogs", dockertest.Answer{Frames: c.frames})
		d.Answer("ContainerAttach", dockertest.Answer{Frames: c.frames})
		resp, err := http.Get(base(d) + "/v" + c.version + "/containers/x/logs?stdout=1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); ct != c.want {
			t.Errorf("v%s logs %+v: Content-Type %q, want %q", c.version, c.frames, ct, c.want)
		}
		conn, err := net.Dial("tcp", strings.TrimPrefix(d.Host(), "tcp://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /v%s/containers/x/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n", c.version)
		ar, err := http.ReadResponse(bufio.NewReader(conn), nil)
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		if ct := ar.Header.Get("Content-Type"); ct != c.want {
			t.Errorf("v%s attach %+v: Content-Type %q, want %q", c.version, c.frames, ct, c.want)
		}
	}
}

// Calls returns copies, Answer keeps its own copy of the answers, and
// ResetCalls forgets the calls so far.
func TestCallsAndAnswersAreCopies(t *testing.T) {
	d := dockertest.Start(t, "1.47")
	answers := []dockertest.Answer{dockertest.Error(404, "first")}
	d.Answer("ContainerInspect", answers...)
	answers[0] = dockertest.Error(404, "changed")
	if _, body := get(t, "GET", base(d)+"/v1.47/containers/x/json?size=1"); !strings.Contains(body, "first") {
		t.Errorf("answer %s, want the one given to Answer", body)
	}
	c := d.Calls()[0]
	c.Query.Set("size", "changed")
	c.Header.Set("User-Agent", "changed")
	if c2 := d.Calls()[0]; c2.Query.Get("size") != "1" || c2.Header.Get("User-Agent") == "changed" {
		t.Errorf("a change to a returned call reached the server: %v %v", c2.Query, c2.Header)
	}
	d.ResetCalls()
	if n := len(d.Calls()); n != 0 {
		t.Errorf("%d calls after ResetCalls", n)
	}
}
