package dockertest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dockertest"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v147"
)

// exercise makes the calls a recording is made of and returns what the
// client saw, as text.
func exercise(t *testing.T, host string) string {
	t.Helper()
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	api := v147.New(c)
	ctx := context.Background()
	var b strings.Builder
	list, err := api.ContainerList(ctx, v147.ContainerListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, ctr := range list {
		b.WriteString("list " + ctr.ID + " " + string(ctr.State) + "\n")
	}
	if _, err := api.ContainerInspect(ctx, "nope", v147.ContainerInspectOptions{}); !docker.IsNotFound(err) {
		t.Errorf("inspect nope: %v", err)
	} else {
		b.WriteString("inspect nope: not found\n")
	}
	out, err := api.ContainerLogs(ctx, "web", v147.ContainerLogsOptions{Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if err := out.Demux(&stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	b.WriteString("logs " + stdout.String() + "|" + stderr.String() + "\n")
	h, err := api.ContainerAttach(ctx, "web", v147.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	h.Write([]byte("ping\n"))
	h.CloseWrite()
	stdout.Reset()
	h.Output().Demux(&stdout, io.Discard)
	h.Close()
	b.WriteString("attach " + stdout.String())
	return b.String()
}

// TestRecordThenReplay records calls in front of a daemon (here another
// fake, scripted, on a unix socket), then replays the file: the client sees
// the same answers, and the file holds them in the documented form.
func TestRecordThenReplay(t *testing.T) {
	dir := t.TempDir()
	upstream := dockertest.Start(t, "1.47", dockertest.Listen("unix://"+filepath.Join(dir, "real.sock")))
	upstream.Answer("ContainerList", dockertest.Answer{Body: []map[string]any{{"Id": "c1", "State": "running"}, {"Id": "c2", "State": "exited"}}})
	upstream.Answer("ContainerInspect", dockertest.Error(404, "No such container: nope"))
	upstream.Answer("ContainerLogs", dockertest.Answer{Frames: []dockertest.Frame{dockertest.Stdout("out\n"), dockertest.Stderr("err\n")}})

	file := filepath.Join(dir, "rec.json")
	rec := dockertest.Start(t, "1.47", dockertest.Record(file, upstream.Host()))
	want := exercise(t, rec.Host())
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(want, "list c1 running") || !strings.Contains(want, "logs out\n|err\n") || !strings.Contains(want, "attach hello from stdout\nping\n") {
		t.Errorf("through the recorder:\n%s", want)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"version": "1.47"`, `"op": "ContainerList"`, `"path": "/containers/json"`, `"query": "all=true"`, `"stderr": "err\n"`, `"status": 404`, `"status": 101`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("recording lacks %s:\n%s", s, b)
		}
	}

	replay := dockertest.Start(t, "1.47", dockertest.Replay(file))
	if got := exercise(t, replay.Host()); got != want {
		t.Errorf("replayed:\n%s\nrecorded:\n%s", got, want)
	}
	if _, err := dockertest.NewServer("1.41", dockertest.Replay(file)); err == nil || !strings.Contains(err.Error(), "recorded with API v1.47") {
		t.Errorf("replay at another version: %v", err)
	}
}

// TestRecordCloseEndsPassThrough: Close must end an attach passed through
// to the daemon that neither side ends.
func TestRecordCloseEndsPassThrough(t *testing.T) {
	dir := t.TempDir()
	upstream := dockertest.Start(t, "1.47", dockertest.Listen("unix://"+filepath.Join(dir, "real.sock")))
	// A container that keeps running: its output does not end when stdin
	// does.
	upstream.Answer("ContainerAttach", dockertest.Answer{Frames: []dockertest.Frame{
		dockertest.Stdout("started\n"), {Stream: 1, Data: []byte("much later\n"), Delay: time.Hour},
	}})
	rec, err := dockertest.NewServer("1.47", dockertest.Record(filepath.Join(dir, "rec.json"), upstream.Host()))
	if err != nil {
		t.Fatal(err)
	}
	c, err := docker.New(docker.WithHost(rec.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h, err := v147.New(c).ContainerAttach(context.Background(), "web", v147.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	h.CloseWrite()
	buf := make([]byte, 64)
	if n, err := h.Read(buf); err != nil || !strings.Contains(string(buf[:n]), "started") {
		t.Fatalf("attach through the recorder: %q %v", buf[:n], err)
	}
	done := make(chan error, 1)
	go func() { done <- rec.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close is stuck on a passed-through attach")
	}
}

// TestReplayChecksTheFile: a hand-written file is checked like a script.
func TestReplayChecksTheFile(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		f := filepath.Join(dir, "f.json")
		if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, c := range []struct{ file, want string }{
		{`{"version":"1.47","exchanges":[{"op":"ContainerLis"}]}`, `exchange 1 (ContainerLis): "ContainerLis" is not an operation`},
		{`{"version":"1.47","exchanges":[{"path":"/x"}]}`, "exchange 1 has no op"},
		{`{"version":"1.47","exchanges":[{"op":"ContainerLogs","frames":[{"stdout":"a","stderr":"b"}]}]}`, "frame 1: want one of stdout, stderr, raw or message, got 2"},
		{`{"version":"1.47","exchangez":[]}`, `unknown field "exchangez"`},
	} {
		if _, err := dockertest.NewServer("1.47", dockertest.Replay(write(c.file))); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.file, err, c.want)
		}
	}
	rt := &recT{T: t}
	dockertest.Start(rt, "1.47", dockertest.Replay(write(`{"version":"1.47","exchanges":[{"op":"ContainerList","body":{"Id":"x"}}]}`)))
	if f := rt.failures(); len(f) != 1 || !strings.Contains(f[0], "want array, got object") {
		t.Errorf("failures %q", f)
	}
}

// TestRecordRealDaemon records against the daemon DOCKER_TEST_HOST names.
func TestRecordRealDaemon(t *testing.T) {
	host := testdaemon.Host(t) // skips without DOCKER_TEST_HOST
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.Negotiate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "rec.json")
	rec := dockertest.Start(t, v, dockertest.Record(file, host))
	rc, err := docker.New(docker.WithHost(rec.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var info, list any
	if err := rc.Call(context.Background(), "SystemInfo", nil, &info); err != nil {
		t.Fatal(err)
	}
	if err := rc.Call(context.Background(), "ImageList", docker.Args{"all": true}, &list); err != nil {
		t.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	replay := dockertest.Start(t, v, dockertest.Replay(file))
	pc, err := docker.New(docker.WithHost(replay.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var list2 any
	if err := pc.Call(context.Background(), "ImageList", docker.Args{"all": true}, &list2); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded v%s: SystemInfo and ImageList; replayed ImageList", v)
}

// A recorded exchange answers only its own path and query: one recorded
// without a query does not answer a call with one, and when a path's
// exchanges are used up the last of them repeats, never another path's.
// Wildcards are for hand-written files, and explicit.
func TestReplayMatchesPathAndQueryExactly(t *testing.T) {
	f := filepath.Join(t.TempDir(), "rec.json")
	rec := dockertest.Recording{Version: "1.47", Exchanges: []dockertest.Exchange{
		{Op: "ContainerList", Method: "GET", Path: "/containers/json", Body: json.RawMessage(`[{"Id":"running1"}]`)},
		{Op: "ContainerList", Method: "GET", Path: "/containers/json", Query: "all=1", Body: json.RawMessage(`[{"Id":"running1"},{"Id":"stopped2"}]`)},
		{Op: "ContainerInspect", Method: "GET", Path: "/containers/A/json", Body: json.RawMessage(`{"Id":"A"}`)},
		{Op: "ContainerInspect", Method: "GET", Path: "/containers/B/json", Body: json.RawMessage(`{"Id":"B"}`)},
		{Op: "ImageInspect", Body: json.RawMessage(`{"Id":"any"}`)},
		{Op: "NetworkList", Path: "/networks", Query: "*", Body: json.RawMessage(`[{"Id":"net"}]`)},
	}}
	b, _ := json.Marshal(rec)
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rt := &recT{T: t}
	d := dockertest.Start(rt, "1.47", dockertest.Replay(f))
	for _, c := range []struct{ path, want string }{
		{"/containers/json?all=1", "stopped2"},
		{"/containers/json", `[{"Id":"running1"}]`},
		{"/containers/A/json", `"A"`},
		{"/containers/A/json", `"A"`}, // used up: repeats, never B's
		{"/containers/B/json", `"B"`},
		{"/images/x/json", `"any"`},
		{"/networks?filters=%7B%7D", `"net"`},
	} {
		code, body := get(t, "GET", base(d)+"/v1.47"+c.path)
		if code != 200 || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: %d %s; want %s", c.path, code, body, c.want)
		}
	}
	if f := rt.failures(); len(f) > 0 {
		t.Errorf("failures: %q", f)
	}
	code, body := get(t, "GET", base(d)+"/v1.47/containers/json?all=1&size=1")
	if code != 500 || !strings.Contains(body, "no exchange") {
		t.Errorf("a call no exchange matches: %d %s; want 500", code, body)
	}
	if f := rt.failures(); len(f) != 1 || !strings.Contains(f[0], "no exchange of") {
		t.Errorf("failures %q; want one saying no exchange matches", f)
	}
}

// An answer longer than a recording keeps fails the recording, is marked
// truncated in the file, and is never replayed as if it were whole.
func TestRecordingCutIsMarkedAndNotReplayed(t *testing.T) {
	defer dockertest.SetMaxRecorded(64 << 10)()
	up := dockertest.Start(t, "1.47")
	var list []map[string]any
	for i := range 2000 {
		list = append(list, map[string]any{"Id": fmt.Sprintf("%064d", i)})
	}
	up.Answer("ContainerList", dockertest.Answer{Body: list})
	f := filepath.Join(t.TempDir(), "rec.json")
	rt := &recT{T: t}
	rec := dockertest.Start(rt, "1.47", dockertest.Record(f, up.Host()))
	code, body := get(t, "GET", base(rec)+"/v1.47/containers/json")
	if code != 200 || len(body) < 64<<10 {
		t.Fatalf("through the recorder: %d, %d bytes; want the whole answer", code, len(body))
	}
	rec.Close()
	if fails := rt.failures(); len(fails) != 1 || !strings.Contains(fails[0], "truncated") {
		t.Errorf("recorder failures %q; want one saying the exchange is truncated", fails)
	}
	r, err := dockertest.ReadRecording(f)
	if err != nil || len(r.Exchanges) != 1 || !r.Exchanges[0].Truncated {
		t.Fatalf("recording %+v, %v; want one exchange marked truncated", r, err)
	}
	rt2 := &recT{T: t}
	rp := dockertest.Start(rt2, "1.47", dockertest.Replay(f))
	code, body = get(t, "GET", base(rp)+"/v1.47/containers/json")
	if code != 500 || !strings.Contains(body, "was cut") {
		t.Errorf("replayed: %d %.200s; want 500 saying the recording was cut", code, body)
	}
	if fails := rt2.failures(); len(fails) != 1 || !strings.Contains(fails[0], "was cut") {
		t.Errorf("replay failures %q; want one saying the recording was cut", fails)
	}
}

// An empty output frame is dropped from a recording, which then replays.
func TestRecordDropsEmptyFrames(t *testing.T) {
	up := dockertest.Start(t, "1.47")
	up.Answer("ContainerLogs", dockertest.Answer{Frames: []dockertest.Frame{dockertest.Stdout("a"), dockertest.Stdout(""), dockertest.Stderr("b")}})
	f := filepath.Join(t.TempDir(), "rec.json")
	rec := dockertest.Start(t, "1.47", dockertest.Record(f, up.Host()))
	get(t, "GET", base(rec)+"/v1.47/containers/x/logs?stdout=1&stderr=1")
	rec.Close()
	rp, err := dockertest.NewServer("1.47", dockertest.Replay(f))
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	defer rp.Close()
	_, body := get(t, "GET", base(rp)+"/v1.47/containers/x/logs?stdout=1&stderr=1")
	if want := "\x01\x00\x00\x00\x00\x00\x00\x01a\x02\x00\x00\x00\x00\x00\x00\x01b"; body != want {
		t.Errorf("replayed %q, want %q", body, want)
	}
}
