package docker_test

// Streams against the real daemon of internal/testdaemon (dockerd 20.10,
// API 1.41): each test skips, saying why, when no daemon can be had.
// Containers never have a network (NetworkMode "none"), and everything a
// test creates is removed at its end.

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v141"
)

const busybox = "busybox:latest"

type daemon struct {
	host string
	c    *docker.Client
	api  *v141.Client
}

// newDaemon connects to the test daemon (skipping when there is none) and
// makes sure busybox:latest is there.
func newDaemon(t *testing.T, opts ...docker.Option) *daemon {
	t.Helper()
	host := testdaemon.Host(t)
	c, err := docker.New(append([]docker.Option{docker.WithHost(host)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	d := &daemon{host: host, c: c, api: v141.New(c)}
	d.ensureBusybox(t)
	return d
}

func (d *daemon) ensureBusybox(t *testing.T) {
	t.Helper()
	ctx := ctxTimeout(t, 2*time.Minute)
	_, err := d.api.ImageInspect(ctx, busybox, v141.ImageInspectOptions{})
	if err == nil {
		return
	}
	if !docker.IsNotFound(err) {
		t.Fatal(err)
	}
	rootfs, err := testdaemon.BusyboxRootfs()
	if err != nil {
		t.Skipf("no busybox image and none can be made: %v", err)
	}
	s, err := d.api.ImageCreate(ctx, v141.ImageCreateOptions{FromSrc: "-", Repo: "busybox", Tag: "latest", Body: bytes.NewReader(rootfs)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
}

// create makes a container without a network, removed (by force) when the
// test ends.
func (d *daemon) create(t *testing.T, body v141.ContainerCreateRequest) string {
	t.Helper()
	if body.Image == "" {
		body.Image = busybox
	}
	body.HostConfig.NetworkMode = "none"
	if body.Labels == nil {
		body.Labels = map[string]string{}
	}
	body.Labels["dockersdk-test"] = "streams"
	ctx := ctxTimeout(t, time.Minute)
	resp, err := d.api.ContainerCreate(ctx, v141.ContainerCreateOptions{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := d.api.ContainerDelete(ctx, resp.ID, v141.ContainerDeleteOptions{Force: true, RemoveVolumes: true}); err != nil && !docker.IsNotFound(err) {
			t.Errorf("removing container %s: %v", resp.ID, err)
		}
	})
	return resp.ID
}

func (d *daemon) start(t *testing.T, id string) {
	t.Helper()
	if err := d.api.ContainerStart(ctxTimeout(t, time.Minute), id, v141.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
}

// removeImage deletes an image (by force) when the test ends.
func (d *daemon) removeImage(t *testing.T, name string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := d.api.ImageDelete(ctx, name, v141.ImageDeleteOptions{Force: true}); err != nil && !docker.IsNotFound(err) {
			t.Errorf("removing image %s: %v", name, err)
		}
	})
}

// readFile returns a file of a container through ContainerArchive.
func (d *daemon) readFile(t *testing.T, id, path string) string {
	t.Helper()
	s, err := d.api.ContainerArchive(ctxTimeout(t, time.Minute), id, v141.ContainerArchiveOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tr := tar.NewReader(s)
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDaemonLogsFollowCancel: follow a container that writes forever,
// read a few lines, cancel: Demux ends with the context's error, and no
// goroutine is left.
func TestDaemonLogsFollowCancel(t *testing.T) {
	d := newDaemon(t)
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"sh", "-c", "i=0; while true; do echo line $i; echo err $i >&2; i=$((i+1)); sleep 0.05; done"}})
	d.start(t, id)
	before := goroutines()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o, err := d.api.ContainerLogs(ctx, id, v141.ContainerLogsOptions{Follow: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	stdout := &lineWriter{want: "line ", count: make(chan int, 16)}
	stderr := &lineWriter{want: "err ", count: make(chan int, 16)}
	done := make(chan error, 1)
	go func() { done <- o.Demux(stdout, stderr) }()
	for n := 0; n < 5; {
		select {
		case n = <-stdout.count:
		case err := <-done:
			t.Fatalf("Demux ended early: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatalf("only %d lines: %q", n, stdout.String())
		}
	}
	cancel()
	start := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Demux after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Demux did not end after cancel")
	}
	t.Logf("Demux ended %v after cancel", time.Since(start))
	o.Close()
	if o.TTY || !strings.HasPrefix(stdout.String(), "line 0\nline 1\n") || !strings.HasPrefix(stderr.String(), "err 0\n") {
		t.Fatalf("TTY %v, stdout %q, stderr %q", o.TTY, stdout.String(), stderr.String())
	}
	checkGoroutines(t, d.c, before)
}

// TestDaemonLogsTTY: the logs of a TTY container are raw; API 1.41 does not
// say so, and the SDK learns it from an inspect of the container.
func TestDaemonLogsTTY(t *testing.T) {
	d := newDaemon(t)
	id := d.create(t, v141.ContainerCreateRequest{TTY: true, Cmd: []string{"sh", "-c", "echo tty line; echo tty err >&2"}})
	d.start(t, id)
	ctx := ctxTimeout(t, time.Minute)
	if _, err := d.api.ContainerWait(ctx, id, v141.ContainerWaitOptions{}); err != nil {
		t.Fatal(err)
	}
	o, err := d.api.ContainerLogs(ctx, id, v141.ContainerLogsOptions{Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	var out, errb bytes.Buffer
	if err := o.Demux(&out, &errb); err != nil {
		t.Fatal(err)
	}
	if !o.TTY || out.String() != "tty line\r\ntty err\r\n" || errb.Len() != 0 {
		t.Fatalf("TTY %v, stdout %q, stderr %q", o.TTY, out.String(), errb.String())
	}
}

// TestDaemonEvents: events of a container that starts and stops, followed
// as they happen; then the same events again from `since` = the first
// one's time (how a broken event stream resumes), and through
// FollowEvents. No goroutine outlives a stream.
func TestDaemonEvents(t *testing.T) {
	d := newDaemon(t)
	label := uniqueName("ev")
	filters := docker.Filters{"label": {"dockersdk-events=" + label}, "type": {"container"}}
	before := goroutines()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := d.api.SystemEvents(ctx, v141.SystemEventsOptions{Filters: filters})
	if err != nil {
		t.Fatal(err)
	}
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"true"}, Labels: map[string]string{"dockersdk-events": label}})
	d.start(t, id)

	var got []v141.EventMessage
	deadline := time.AfterFunc(30*time.Second, cancel)
	for s.Next() {
		ev := s.Value()
		if ev.Actor.ID != id {
			t.Fatalf("event of another container: %+v", ev)
		}
		got = append(got, ev)
		if ev.Action == "die" {
			break
		}
	}
	deadline.Stop()
	if s.Err() != nil {
		t.Fatalf("events: %v (got %v)", s.Err(), actions(got))
	}
	if a := actions(got); a != "create start die" {
		t.Fatalf("actions %q", a)
	}
	if got[0].TimeNano == 0 || got[0].Type != v141.EventMessageTypeContainer || got[0].Actor.Attributes["dockersdk-events"] != label {
		t.Fatalf("first event %+v", got[0])
	}
	// The followed stream waits for more until cancelled.
	cancel()
	if s.Next() || !errors.Is(s.Err(), context.Canceled) {
		t.Fatalf("after cancel: %v", s.Err())
	}
	s.Close()
	checkGoroutines(t, d.c, before)

	// Resume: the same events from since = the first event's time, until
	// just after the last one.
	ctx2 := ctxTimeout(t, 30*time.Second)
	again, err := d.api.SystemEvents(ctx2, v141.SystemEventsOptions{
		Since:   docker.SinceNano(got[0].TimeNano),
		Until:   docker.SinceNano(got[len(got)-1].TimeNano + 1),
		Filters: filters,
	})
	if err != nil {
		t.Fatal(err)
	}
	replayed, err := collect(again)
	if err != nil {
		t.Fatal(err)
	}
	if actions(replayed) != actions(got) || replayed[0].TimeNano != got[0].TimeNano {
		t.Fatalf("replayed %q", actions(replayed))
	}

	// FollowEvents from the first event: replays, then follows the stop
	// of a second container.
	id2 := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"true"}, Labels: map[string]string{"dockersdk-events": label}})
	open := func(ctx context.Context, since string) (*docker.JSONStream[v141.EventMessage], error) {
		if since == "" {
			since = docker.SinceNano(got[0].TimeNano)
		}
		return d.api.SystemEvents(ctx, v141.SystemEventsOptions{Since: since, Filters: filters})
	}
	ctx3, cancel3 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel3()
	var followed []string
	started := false
	for ev, err := range docker.FollowEvents(ctx3, open, func(e v141.EventMessage) int64 { return e.TimeNano }) {
		if err != nil {
			t.Fatal(err)
		}
		followed = append(followed, ev.Action)
		if !started && len(followed) == 3 {
			started = true
			d.start(t, id2)
		}
		if ev.Actor.ID == id2 && ev.Action == "die" {
			break
		}
	}
	if strings.Join(followed, " ") != "create start die create start die" {
		t.Fatalf("followed %q", followed)
	}
}

func actions(evs []v141.EventMessage) string {
	var a []string
	for _, e := range evs {
		a = append(a, e.Action)
	}
	return strings.Join(a, " ")
}

// TestDaemonStats: a one-shot sample, then a stream of samples cancelled
// after two.
func TestDaemonStats(t *testing.T) {
	d := newDaemon(t)
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"sleep", "300"}})
	d.start(t, id)
	ctx := ctxTimeout(t, time.Minute)
	one, err := d.api.ContainerStats(ctx, id, v141.ContainerStatsOptions{Stream: docker.Ptr(false), OneShot: true})
	if err != nil {
		t.Fatal(err)
	}
	samples, err := collect(one)
	if err != nil || len(samples) != 1 {
		t.Fatalf("one-shot: %d samples, %v", len(samples), err)
	}
	if samples[0].Read == "" || samples[0].ID == nil || *samples[0].ID != id || samples[0].PIDsStats.Current == nil {
		t.Fatalf("one-shot sample %+v", samples[0])
	}

	before := goroutines()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := d.api.ContainerStats(sctx, id, v141.ContainerStatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var reads []string
	for len(reads) < 2 && s.Next() {
		reads = append(reads, s.Value().Read)
	}
	if len(reads) != 2 || reads[0] == reads[1] {
		t.Fatalf("streamed samples read at %v, %v", reads, s.Err())
	}
	cancel()
	if s.Next() || !errors.Is(s.Err(), context.Canceled) {
		t.Fatalf("after cancel: %v", s.Err())
	}
	s.Close()
	checkGoroutines(t, d.c, before)
}

// tarOf builds a tar archive: name -> content, with "dir/" for folders and
// "->target" for symbolic links.
func tarOf(t testing.TB, files [][2]string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f[0], Mode: 0o640, ModTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Format: tar.FormatPAX}
		switch {
		case strings.HasSuffix(f[0], "/"):
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case strings.HasPrefix(f[1], "->"):
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f[1][2:], 0o777
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f[1]))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(f[1]))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDaemonArchiveRoundTrip: upload a tree with PutContainerArchive,
// stat it with ContainerArchiveInfo, download it with ContainerArchive.
func TestDaemonArchiveRoundTrip(t *testing.T) {
	d := newDaemon(t)
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"true"}})
	big := make([]byte, 3<<20)
	(&pattern{}).Read(big)
	files := [][2]string{{"data/", ""}, {"data/hello.txt", "hello archive\n"}, {"data/big.bin", string(big)}, {"data/link", "->hello.txt"}}
	ctx := ctxTimeout(t, 2*time.Minute)
	if err := d.api.PutContainerArchive(ctx, id, v141.PutContainerArchiveOptions{Path: "/tmp", Body: bytes.NewReader(tarOf(t, files))}); err != nil {
		t.Fatal(err)
	}

	info, err := d.api.ContainerArchiveInfo(ctx, id, v141.ContainerArchiveInfoOptions{Path: "/tmp/data/hello.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if st := info.PathStat; st == nil || st.Name != "hello.txt" || st.Size != 14 || st.Mode.Perm() != 0o640 || !st.Mode.IsRegular() || st.Mtime.Year() != 2024 {
		t.Fatalf("stat %+v", info.PathStat)
	}
	info, err = d.api.ContainerArchiveInfo(ctx, id, v141.ContainerArchiveInfoOptions{Path: "/tmp/data/link"})
	if err != nil || info.PathStat.LinkTarget != "/tmp/data/hello.txt" || info.PathStat.Mode&os.ModeSymlink == 0 {
		t.Fatalf("link stat %+v, %v", info.PathStat, err)
	}

	s, err := d.api.ContainerArchive(ctx, id, v141.ContainerArchiveOptions{Path: "/tmp/data"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.PathStat()
	if err != nil || st.Name != "data" || !st.Mode.IsDir() {
		t.Fatalf("archive stat %+v, %v", st, err)
	}
	got := map[string]string{}
	tr := tar.NewReader(s)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		switch h.Typeflag {
		case tar.TypeDir:
			got[h.Name] = "dir"
		case tar.TypeSymlink:
			got[h.Name] = "->" + h.Linkname
		default:
			got[h.Name] = fmt.Sprintf("%x", sha256.Sum256(b))
		}
	}
	want := map[string]string{"data/": "dir", "data/hello.txt": fmt.Sprintf("%x", sha256.Sum256([]byte("hello archive\n"))),
		"data/big.bin": fmt.Sprintf("%x", sha256.Sum256(big)), "data/link": "->hello.txt"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("archive holds %v, want %v", got, want)
	}

	if _, err := d.api.ContainerArchive(ctx, id, v141.ContainerArchiveOptions{Path: "/no/such/path"}); !docker.IsNotFound(err) {
		t.Fatalf("missing path: %v", err)
	}
	if _, err := d.api.ContainerArchiveInfo(ctx, id, v141.ContainerArchiveInfoOptions{Path: "/no/such/path"}); !docker.IsNotFound(err) {
		t.Fatalf("missing path info: %v", err)
	}
}

// TestDaemonExportImport: a container's filesystem, exported, streams
// straight into ImageCreate fromSrc; the new image holds the file put in
// the container.
func TestDaemonExportImport(t *testing.T) {
	d := newDaemon(t)
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"true"}})
	ctx := ctxTimeout(t, 2*time.Minute)
	if err := d.api.PutContainerArchive(ctx, id, v141.PutContainerArchiveOptions{Path: "/", Body: bytes.NewReader(tarOf(t, [][2]string{{"exported.txt", "made before export\n"}}))}); err != nil {
		t.Fatal(err)
	}
	repo := uniqueName("dockersdk-import-")
	d.removeImage(t, repo+":v1")
	export, err := d.api.ContainerExport(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer export.Close()
	s, err := d.api.ImageCreate(ctx, v141.ImageCreateOptions{FromSrc: "-", Repo: repo, Tag: "v1", Body: export})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 || !strings.HasPrefix(msgs[len(msgs)-1].Status, "sha256:") {
		t.Fatalf("import progress %+v", msgs)
	}
	img, err := d.api.ImageInspect(ctx, repo+":v1", v141.ImageInspectOptions{})
	if err != nil || img.ID != msgs[len(msgs)-1].Status {
		t.Fatalf("imported image %v, %v", img, err)
	}
	c2 := d.create(t, v141.ContainerCreateRequest{Image: repo + ":v1", Cmd: []string{"true"}})
	if got := d.readFile(t, c2, "/exported.txt"); got != "made before export\n" {
		t.Fatalf("imported image holds %q", got)
	}
}

// TestDaemonSaveLoad: ImageGet streams an image out, it is removed, and
// ImageLoad streams it back in; ImageGetAll names it in its manifest; and
// ImageGet piped straight into ImageLoad reports the loaded tag.
func TestDaemonSaveLoad(t *testing.T) {
	d := newDaemon(t)
	ctx := ctxTimeout(t, 2*time.Minute)
	tag := uniqueName("dockersdk-save-") + ":v1"
	repo, version, _ := strings.Cut(tag, ":")
	if err := d.api.ImageTag(ctx, busybox, v141.ImageTagOptions{Repo: repo, Tag: version}); err != nil {
		t.Fatal(err)
	}
	d.removeImage(t, tag)

	saved := filepath.Join(t.TempDir(), "image.tar")
	s, err := d.api.ImageGet(ctx, tag, v141.ImageGetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(saved)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(f, s)
	s.Close()
	f.Close()
	if err != nil || n < 1<<20 {
		t.Fatalf("saved %d bytes, %v", n, err)
	}
	if _, err := d.api.ImageDelete(ctx, tag, v141.ImageDeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.api.ImageInspect(ctx, tag, v141.ImageInspectOptions{}); !docker.IsNotFound(err) {
		t.Fatalf("after delete: %v", err)
	}
	f, err = os.Open(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	load, err := d.api.ImageLoad(ctx, v141.ImageLoadOptions{Body: f})
	if err != nil {
		t.Fatal(err)
	}
	if msgs, err := collect(load); err != nil || !loaded(msgs, tag) {
		t.Fatalf("load: %+v, %v", msgs, err)
	}
	if _, err := d.api.ImageInspect(ctx, tag, v141.ImageInspectOptions{}); err != nil {
		t.Fatalf("after load: %v", err)
	}

	all, err := d.api.ImageGetAll(ctx, v141.ImageGetAllOptions{Names: []string{tag}})
	if err != nil {
		t.Fatal(err)
	}
	manifest := ""
	tr := tar.NewReader(all)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.Name == "manifest.json" {
			b, _ := io.ReadAll(tr)
			manifest = string(b)
		}
	}
	all.Close()
	if !strings.Contains(manifest, tag) {
		t.Fatalf("ImageGetAll manifest %q lacks %s", manifest, tag)
	}

	// Straight from one stream into the other.
	s, err = d.api.ImageGet(ctx, tag, v141.ImageGetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	load, err = d.api.ImageLoad(ctx, v141.ImageLoadOptions{Body: s})
	if err != nil {
		t.Fatal(err)
	}
	if msgs, err := collect(load); err != nil || !loaded(msgs, tag) {
		t.Fatalf("piped load: %+v, %v", msgs, err)
	}
}

func loaded(msgs []docker.JSONMessage, tag string) bool {
	for _, m := range msgs {
		if strings.Contains(m.Stream, "Loaded image: "+tag) {
			return true
		}
	}
	return false
}

// TestDaemonBuild: a build from a tar context, its progress read typed;
// then a build whose RUN fails, whose error comes out of the 200 as a
// *StreamError with the exit code.
func TestDaemonBuild(t *testing.T) {
	d := newDaemon(t)
	ctx := ctxTimeout(t, 3*time.Minute)
	tag := uniqueName("dockersdk-build-") + ":v1"
	d.removeImage(t, tag)
	buildContext := tarOf(t, [][2]string{
		{"Dockerfile", "FROM busybox:latest\nCOPY greeting.txt /greeting.txt\nRUN cat /greeting.txt > /built && echo built >> /built\n"},
		{"greeting.txt", "hello from the context\n"},
	})
	s, err := d.api.ImageBuild(ctx, v141.ImageBuildOptions{Body: bytes.NewReader(buildContext), Tags: []string{tag}, NetworkMode: "none",
		NoCache: true, Remove: docker.Ptr(true), ForceRemove: true})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	var imageID string
	for m, err := range s.All() {
		if err != nil {
			t.Fatalf("build: %v\n%s", err, out.String())
		}
		out.WriteString(m.Stream)
		if len(m.Aux) > 0 {
			var aux struct{ ID string }
			if err := json.Unmarshal(m.Aux, &aux); err != nil {
				t.Fatalf("aux %s: %v", m.Aux, err)
			}
			imageID = aux.ID
		}
	}
	for _, want := range []string{"Step 1/3 : FROM busybox:latest", "Step 3/3 : RUN", "Successfully built", "Successfully tagged " + tag} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("build output lacks %q:\n%s", want, out.String())
		}
	}
	img, err := d.api.ImageInspect(ctx, tag, v141.ImageInspectOptions{})
	if err != nil || !strings.HasPrefix(img.ID, imageID) || imageID == "" {
		t.Fatalf("built image %v (aux ID %q), %v", img, imageID, err)
	}
	id := d.create(t, v141.ContainerCreateRequest{Image: tag, Cmd: []string{"true"}})
	if got := d.readFile(t, id, "/built"); got != "hello from the context\nbuilt\n" {
		t.Fatalf("/built holds %q", got)
	}

	failing := tarOf(t, [][2]string{{"Dockerfile", "FROM busybox:latest\nRUN echo about to fail && exit 7\n"}})
	s, err = d.api.ImageBuild(ctx, v141.ImageBuildOptions{Body: bytes.NewReader(failing), NetworkMode: "none", NoCache: true, ForceRemove: true})
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	for s.Next() {
		out.WriteString(s.Value().Stream)
	}
	var se *docker.StreamError
	if !errors.As(s.Err(), &se) || se.Code != 7 || !strings.Contains(se.Message, "returned a non-zero code: 7") || se.Op != "ImageBuild" {
		t.Fatalf("failing build: %#v\n%s", s.Err(), out.String())
	}
	if !strings.Contains(out.String(), "about to fail") {
		t.Fatalf("the output before the error is missing:\n%s", out.String())
	}
	// Wait gives the same error.
	s, err = d.api.ImageBuild(ctx, v141.ImageBuildOptions{Body: bytes.NewReader(failing), NetworkMode: "none", NoCache: true, ForceRemove: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); !errors.As(err, &se) || se.Code != 7 {
		t.Fatalf("Wait: %v", err)
	}
}
