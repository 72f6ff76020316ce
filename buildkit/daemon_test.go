package buildkit_test

// Builds against the daemon named by DOCKER_TEST_HOST (make test and the
// e2e matrix start them: dockerd 20.10, Docker 28 and 29, Podman). Base
// images come only from the daemon's store: busybox, imported as
// dockersdk-buildkit/busybox. RUN steps get network mode none.

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/buildkit"
	"github.com/dockerclient/docker/internal/leakcheck"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/task"
)

const (
	busyboxRepo = "dockersdk-buildkit/busybox"
	busybox     = busyboxRepo + ":latest"
	testRepo    = "dockersdk-buildkit/test"
)

// TestMain imports busybox into the test daemon and points the examples
// (which connect with docker.NewFromEnv, as a user's program would) at it,
// or skips them, saying why, without a daemon that has BuildKit. It fails
// the binary when goroutines outlive the tests.
func TestMain(m *testing.M) {
	flag.Parse()
	host, err := testdaemon.Start()
	if err == nil {
		if err := testdaemon.ImportBusybox(host, busyboxRepo); err != nil {
			fmt.Fprintf(os.Stderr, "importing %s: %v\n", busybox, err)
			os.Exit(1)
		}
		os.Setenv("DOCKER_HOST", host)
		for _, v := range []string{"DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_API_VERSION"} {
			os.Unsetenv(v)
		}
	}
	if why := noExamples(host, err); why != "" {
		fmt.Fprintf(os.Stderr, "skipping the examples, which build on a daemon with BuildKit: %s\n", why)
		flag.Set("test.skip", "^Example")
	}
	code := leakcheck.Main(m)
	if err == nil {
		cleanUp(host)
	}
	os.Exit(code)
}

// noExamples says why the examples cannot run, or "".
func noExamples(host string, noHost error) string {
	if noHost != nil {
		return noHost.Error()
	}
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ping, err := c.Ping(ctx)
	if err != nil {
		return err.Error()
	}
	if ping.PodmanVersion != "" {
		return "the daemon is Podman " + ping.PodmanVersion
	}
	return ""
}

// cleanUp removes the names the tests gave images, and busybox's. By name,
// not by ID: the other suites import the same busybox image under names
// of their own, and may be running.
func cleanUp(host string) {
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var images []struct{ RepoTags []string }
	filters := docker.Filters{"reference": {testRepo, busyboxRepo}}
	if err := c.Call(ctx, "ImageList", docker.Args{"filters": filters}, &images); err != nil {
		fmt.Fprintf(os.Stderr, "buildkit: listing test images: %v\n", err)
	}
	for _, im := range images {
		for _, tag := range im.RepoTags {
			if !strings.HasPrefix(tag, testRepo+":") && !strings.HasPrefix(tag, busyboxRepo+":") {
				continue
			}
			err := c.Call(ctx, "ImageDelete", docker.Args{"name": tag}, nil)
			if err != nil && !docker.IsNotFound(err) {
				fmt.Fprintf(os.Stderr, "buildkit: removing %s: %v\n", tag, err)
			}
		}
	}
}

// daemon is the daemon under test, as newClient learnt it.
var daemon testdaemon.Daemon

// newClient connects to the test daemon, skipping the test without one.
func newClient(t *testing.T) *docker.Client {
	t.Helper()
	c, d := testdaemon.Connect(t)
	daemon = d
	return c
}

func needBuildKit(t *testing.T, c *docker.Client) {
	t.Helper()
	if daemon.Podman {
		t.Skipf("%s has no BuildKit (TestNoBuildKit checks that it is said so)", daemon.Name())
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// tarOf makes a build context of files (name to contents).
func tarOf(t *testing.T, files map[string]string) io.Reader {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(1e9, 0)}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

func randomHex(t *testing.T) string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// progress collects what a build reported.
type progress struct {
	mu       sync.Mutex
	vertexes map[string]buildkit.Vertex // last state by digest
	logs     map[string]*bytes.Buffer   // output by vertex name
	names    map[string]string          // digest to name
	updates  int
}

func newProgress() *progress {
	return &progress{vertexes: map[string]buildkit.Vertex{}, logs: map[string]*bytes.Buffer{}, names: map[string]string{}}
}

func (p *progress) add(st *buildkit.Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.updates++
	for _, v := range st.Vertexes {
		old := p.vertexes[v.Digest]
		if v.Started.IsZero() {
			v.Started = old.Started
		}
		p.vertexes[v.Digest] = v
		p.names[v.Digest] = v.Name
	}
	for _, l := range st.Logs {
		name := p.names[l.Vertex]
		if p.logs[name] == nil {
			p.logs[name] = new(bytes.Buffer)
		}
		p.logs[name].Write(l.Data)
	}
}

// vertex returns the last state of the vertex whose name contains s.
func (p *progress) vertex(t *testing.T, s string) buildkit.Vertex {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, v := range p.vertexes {
		if strings.Contains(v.Name, s) {
			return v
		}
	}
	var names []string
	for _, v := range p.vertexes {
		names = append(names, v.Name)
	}
	t.Fatalf("no vertex named like %q among %q", s, names)
	return buildkit.Vertex{}
}

func (p *progress) output(s string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, b := range p.logs {
		if strings.Contains(name, s) {
			return b.String()
		}
	}
	return ""
}

// runImage runs cmd in image (network none) and returns its stdout.
func runImage(t *testing.T, c *docker.Client, image string, cmd ...string) string {
	t.Helper()
	var out bytes.Buffer
	_, err := task.Run(testContext(t), c, task.Config{Image: image, Cmd: cmd, NetworkMode: "none", Stdout: &out})
	if err != nil {
		t.Fatalf("running %v in %s: %v", cmd, image, err)
	}
	return out.String()
}

// TestMultiStageSecretsArgs builds two stages in parallel and a final one
// that takes from both: a build argument, a secret from bytes and one from
// a file (whose hashes the image keeps, never their values), and checks
// the progress told of every step and their output.
func TestMultiStageSecretsArgs(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	ctx := testContext(t)
	nonce := randomHex(t)
	token := "token-" + nonce
	fileSecret := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(fileSecret, []byte("file-secret-"+nonce), 0o600); err != nil {
		t.Fatal(err)
	}
	dockerfile := `FROM ` + busybox + ` AS greet
ARG GREETING=unset
RUN echo "$GREETING ` + nonce + `" > /greeting && echo printed-by-greet

FROM ` + busybox + ` AS secrets
RUN --mount=type=secret,id=token --mount=type=secret,id=key \
    sha256sum /run/secrets/token /run/secrets/key | cut -d' ' -f1 > /sums && \
    ls /run/secrets > /listed && echo ` + nonce + `

FROM ` + busybox + `
COPY --from=greet /greeting /greeting
COPY --from=secrets /sums /listed /
`
	p := newProgress()
	tag := testRepo + ":" + nonce
	id, err := buildkit.Build(ctx, c, buildkit.Config{
		Context:     tarOf(t, map[string]string{"Dockerfile": dockerfile}),
		Tags:        []string{tag},
		BuildArgs:   map[string]string{"GREETING": "hello"},
		NetworkMode: "none",
		Secrets: []buildkit.Secret{
			{ID: "token", Data: []byte(token)},
			{ID: "key", File: fileSecret},
		},
		Progress: p.add,
	})
	if err != nil {
		t.Fatalf("build on %s: %v", daemon.Name(), err)
	}
	if !strings.HasPrefix(id, "sha256:") {
		t.Errorf("image ID %q, want sha256:...", id)
	}
	if got := runImage(t, c, tag, "cat", "/greeting"); got != "hello "+nonce+"\n" {
		t.Errorf("/greeting = %q, want the build argument and the nonce", got)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := sum(token) + "\n" + sum("file-secret-"+nonce) + "\n"
	if got := runImage(t, c, tag, "cat", "/sums"); got != want {
		t.Errorf("the secrets' hashes in the image are %q, want %q", got, want)
	}
	if got := runImage(t, c, tag, "sh", "-c", "ls -A /run/secrets 2>/dev/null || true"); strings.TrimSpace(got) != "" {
		t.Errorf("the image kept /run/secrets: %q", got)
	}

	greet := p.vertex(t, "printed-by-greet")
	if greet.Started.IsZero() || !greet.Done() || greet.Cached || greet.Error != "" {
		t.Errorf("the greet step's last state: %+v; want started, completed, not cached, no error", greet)
	}
	if out := p.output("printed-by-greet"); !strings.Contains(out, "printed-by-greet") {
		t.Errorf("the greet step's output %q lacks what it echoed", out)
	}
	if out := p.output("sha256sum"); !strings.Contains(out, nonce) {
		t.Errorf("the secrets step's output %q lacks the nonce it echoed", out)
	}
	if p.updates < 3 {
		t.Errorf("%d progress updates, want several", p.updates)
	}
}

// TestCacheHit builds the same context twice: the second build's steps come
// from the cache and give the same image.
func TestCacheHit(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	ctx := testContext(t)
	nonce := randomHex(t)
	files := map[string]string{"Dockerfile": "FROM " + busybox + "\nRUN echo " + nonce + " > /nonce\n"}
	var ids [2]string
	var runs [2]buildkit.Vertex
	for i := range ids {
		p := newProgress()
		id, err := buildkit.Build(ctx, c, buildkit.Config{Context: tarOf(t, files), NetworkMode: "none", Progress: p.add})
		if err != nil {
			t.Fatalf("build %d: %v", i+1, err)
		}
		ids[i], runs[i] = id, p.vertex(t, "echo "+nonce)
	}
	if runs[0].Cached {
		t.Errorf("the first build's RUN came from the cache, though its command is new: %+v", runs[0])
	}
	if !runs[1].Cached {
		t.Errorf("the second build's RUN did not come from the cache: %+v", runs[1])
	}
	if ids[0] != ids[1] {
		t.Errorf("the builds gave images %s and %s, want one", ids[0], ids[1])
	}
	t.Cleanup(func() { c.Call(context.Background(), "ImageDelete", docker.Args{"name": ids[0], "force": true}, nil) })
}

// TestFailingStep: a RUN that exits 3 is a *BuildError naming the step,
// with its exit code and its last lines of output.
func TestFailingStep(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	nonce := randomHex(t)
	dockerfile := "FROM " + busybox + "\nRUN echo first-" + nonce + "; echo oops-" + nonce + " >&2; exit 3\n"
	_, err := buildkit.Build(testContext(t), c, buildkit.Config{
		Context:     tarOf(t, map[string]string{"Dockerfile": dockerfile}),
		NetworkMode: "none",
	})
	var be *buildkit.BuildError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v (%T), want a *buildkit.BuildError", err, err)
	}
	if !strings.Contains(be.Step, "exit 3") {
		t.Errorf("Step = %q, want the failing RUN", be.Step)
	}
	if be.ExitCode != 3 {
		t.Errorf("ExitCode = %d, want 3 (message %q)", be.ExitCode, be.Message)
	}
	logs := strings.Join(be.Logs, "\n")
	if !strings.Contains(logs, "first-"+nonce) || !strings.Contains(logs, "oops-"+nonce) {
		t.Errorf("Logs = %q, want the step's stdout and stderr", be.Logs)
	}
	if !strings.Contains(err.Error(), "oops-"+nonce) {
		t.Errorf("the error's text does not show the step's output: %v", err)
	}
}

// TestCancel cancels a build while a RUN sleeps: Build returns the
// context's error, the daemon stops the step (its process goes away), and
// the session's goroutines end (TestMain checks every other goroutine).
func TestCancel(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	secs := 900 + time.Now().Nanosecond()%99 // a sleep no other process runs
	marker := fmt.Sprintf("sleep %d", secs)
	dockerfile := "FROM " + busybox + "\nRUN " + marker + "\n"
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	started := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := buildkit.Build(ctx, c, buildkit.Config{
			Context:     tarOf(t, map[string]string{"Dockerfile": dockerfile}),
			NetworkMode: "none",
			NoCache:     true,
			Progress: func(st *buildkit.Status) {
				for _, v := range st.Vertexes {
					if strings.Contains(v.Name, marker) && !v.Started.IsZero() {
						once.Do(func() { close(started) })
					}
				}
			},
		})
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the build ended before its RUN started: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("the RUN step did not start in 2 minutes")
	}
	// The process is seen on this machine (the daemon is local), then
	// cancelled.
	waitProcess(t, marker, true)
	if len(sessionGoroutines()) == 0 {
		t.Fatal("no session goroutine is seen while the build runs: the check below would prove nothing")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want one matching context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Build did not return within 30 s of the cancel")
	}
	waitProcess(t, marker, false)
	// The session's goroutines (its HTTP/2 server, handlers) are gone.
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := sessionGoroutines()
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after the cancel, the session's goroutines still run:\n%s", strings.Join(left, "\n\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sessionGoroutines returns the stacks of the goroutines of a session: its
// HTTP/2 server and the handlers, which this package's code runs.
func sessionGoroutines() []string {
	var gs []string
	for _, g := range leakcheck.Leaked() {
		if strings.Contains(g, "http2serverConn") || strings.Contains(g, "buildkit.serveConn") ||
			strings.Contains(g, "buildkit.(*grpcServer)") || strings.Contains(g, "buildkit.forwardAgent") {
			gs = append(gs, g)
		}
	}
	return gs
}

// waitProcess waits up to 30 s for a process whose command line is cmd to
// exist (or to be gone).
func waitProcess(t *testing.T, cmd string, exists bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if found := processRuns(cmd); found == exists {
			return
		}
		if time.Now().After(deadline) {
			if exists {
				t.Fatalf("no process %q appeared on this machine", cmd)
			}
			t.Fatalf("process %q still runs 30 s after the build was cancelled", cmd)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func processRuns(cmd string) bool {
	want := strings.ReplaceAll(cmd, " ", "\x00")
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range dirs {
		b, err := os.ReadFile(f)
		if err == nil && strings.TrimRight(string(b), "\x00") == want {
			return true
		}
	}
	return false
}

// TestNoBuildKit: a daemon without BuildKit (Podman here) is said to have
// none, before anything is sent to build.
func TestNoBuildKit(t *testing.T) {
	c := newClient(t)
	if !daemon.Podman {
		t.Skipf("%s has BuildKit", daemon.Name())
	}
	_, err := buildkit.Build(testContext(t), c, buildkit.Config{Context: tarOf(t, map[string]string{"Dockerfile": "FROM " + busybox})})
	if !errors.Is(err, buildkit.ErrNoBuildKit) || !strings.Contains(err.Error(), "Podman") {
		t.Fatalf("err = %v, want buildkit.ErrNoBuildKit naming Podman", err)
	}
}

// TestMissingSecret: a secret the build was not given leaves an optional
// mount absent and fails a required one, naming it.
func TestMissingSecret(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	nonce := randomHex(t)
	optional := "FROM " + busybox + "\nRUN --mount=type=secret,id=absent test ! -e /run/secrets/absent && echo " + nonce + "\n"
	if _, err := buildkit.Build(testContext(t), c, buildkit.Config{
		Context: tarOf(t, map[string]string{"Dockerfile": optional}), NetworkMode: "none",
	}); err != nil {
		t.Errorf("an optional secret not given: %v", err)
	}
	required := "FROM " + busybox + "\nRUN --mount=type=secret,id=absent-" + nonce + ",required=true true\n"
	_, err := buildkit.Build(testContext(t), c, buildkit.Config{
		Context: tarOf(t, map[string]string{"Dockerfile": required}), NetworkMode: "none",
		Secrets: []buildkit.Secret{{ID: "other", Data: []byte("x")}},
	})
	var be *buildkit.BuildError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "absent-"+nonce) {
		t.Errorf("a required secret not given: %v, want a *BuildError naming it", err)
	}
}

// TestEveryVersion builds with the API pinned to each version from 1.38
// (the first with BuildKit) to the newest both the SDK and the daemon
// speak; below 1.38 Build says BuildKit needs more.
func TestEveryVersion(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	ctx := testContext(t)
	r, err := c.DaemonVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	daemonMax, sdkMax := minor(t, r.Max), minor(t, docker.MaxAPIVersion)
	nonce := randomHex(t)
	dockerfile := "FROM " + busybox + "\nRUN echo " + nonce + " > /v\n"
	built := 0
	for v := 37; v <= min(daemonMax, sdkMax); v++ {
		version := fmt.Sprintf("1.%d", v)
		id, err := buildkit.Build(ctx, c, buildkit.Config{
			Context: tarOf(t, map[string]string{"Dockerfile": dockerfile}), NetworkMode: "none", APIVersion: version,
		})
		switch {
		case v < 38:
			if !errors.Is(err, buildkit.ErrNoBuildKit) {
				t.Errorf("API %s: %v, want ErrNoBuildKit", version, err)
			}
		case err != nil:
			t.Errorf("API %s: %v", version, err)
		case !strings.HasPrefix(id, "sha256:"):
			t.Errorf("API %s: image ID %q", version, id)
		default:
			built++
		}
	}
	t.Logf("built with each of API 1.38 to 1.%d (%d versions) on %s", min(daemonMax, sdkMax), built, daemon.Name())
}

func minor(t *testing.T, v string) int {
	var n int
	if _, err := fmt.Sscanf(v, "1.%d", &n); err != nil {
		t.Fatalf("API version %q: %v", v, err)
	}
	return n
}

// TestSSHAgent: RUN --mount=type=ssh gets a socket for the agent given (a
// real ssh-agent); the daemon checks it through the session first, and a
// required agent that was not given fails the step.
func TestSSHAgent(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	sock := buildkit.StartSSHAgent(t)
	nonce := randomHex(t)
	dockerfile := "FROM " + busybox + "\nRUN --mount=type=ssh,id=work test -S \"$SSH_AUTH_SOCK\" && echo agent-" + nonce + "\n"
	p := newProgress()
	_, err := buildkit.Build(testContext(t), c, buildkit.Config{
		Context: tarOf(t, map[string]string{"Dockerfile": dockerfile}), NetworkMode: "none",
		SSH: []buildkit.SSHAgent{{ID: "work", Socket: sock}}, Progress: p.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out := p.output("agent-" + nonce); !strings.Contains(out, "agent-"+nonce) {
		t.Errorf("the step did not see the agent's socket; its output: %q", out)
	}
	dockerfile = "FROM " + busybox + "\nRUN --mount=type=ssh,id=other,required=true true\n"
	_, err = buildkit.Build(testContext(t), c, buildkit.Config{
		Context: tarOf(t, map[string]string{"Dockerfile": dockerfile}), NetworkMode: "none",
		SSH: []buildkit.SSHAgent{{ID: "work", Socket: sock}},
	})
	if err == nil || !strings.Contains(err.Error(), "other") {
		t.Errorf("an agent not given: %v, want an error naming it", err)
	}
}

// TestCacheMount: a RUN --mount=type=cache directory outlives the build
// that wrote it, and a later build reads it.
func TestCacheMount(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	ctx := testContext(t)
	id := randomHex(t)
	// Both commands hold the id: Docker 28 and later leave a cache
	// mount's id out of a step's cache key, so a command seen before
	// would not run again.
	for i, step := range []string{"echo kept-" + id + " > /cache/f", "cat /cache/f && echo second-" + id} {
		dockerfile := "FROM " + busybox + "\nRUN --mount=type=cache,id=" + id + ",target=/cache " + step + "\n"
		p := newProgress()
		if _, err := buildkit.Build(ctx, c, buildkit.Config{
			Context: tarOf(t, map[string]string{"Dockerfile": dockerfile}), NetworkMode: "none", Progress: p.add,
		}); err != nil {
			t.Fatalf("build %d: %v", i+1, err)
		}
		if i == 1 {
			if out := p.output("cat /cache/f"); !strings.Contains(out, "kept-"+id) {
				t.Errorf("the second build read %q from the cache mount, want what the first wrote", out)
			}
		}
	}
}

// TestWarnings: Docker 27 and later lint the Dockerfile and report what
// they find as warnings in the progress, here FromAsCasing; 20.10 does not.
func TestWarnings(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	var warnings []buildkit.Warning
	_, err := buildkit.Build(testContext(t), c, buildkit.Config{
		Context:     tarOf(t, map[string]string{"Dockerfile": "FROM " + busybox + " as base\nRUN true\n"}),
		NetworkMode: "none",
		Progress:    func(st *buildkit.Status) { warnings = append(warnings, st.Warnings...) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var major int
	fmt.Sscanf(daemon.Version, "%d.", &major)
	if major < 27 {
		if len(warnings) > 0 {
			t.Errorf("%s, which has no Dockerfile checks, warned %+v", daemon.Name(), warnings)
		}
		return
	}
	if len(warnings) != 1 {
		t.Fatalf("%s: warnings %+v, want one, FromAsCasing", daemon.Name(), warnings)
	}
	w := warnings[0]
	if !strings.HasPrefix(w.Short, "FromAsCasing") || w.Level != 1 || w.Vertex == "" || len(w.Detail) == 0 ||
		!strings.Contains(w.URL, "from-as-casing") {
		t.Errorf("%s: warning %+v, want FromAsCasing with its level, vertex, detail and URL", daemon.Name(), w)
	}
}

// TestOutputTar: with Config.Output the result is a tar stream of the
// build's file system, not an image.
func TestOutputTar(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	nonce := randomHex(t)
	dockerfile := "FROM " + busybox + " AS build\nRUN mkdir /out && echo " + nonce + " > /out/artifact\n" +
		"FROM scratch\nCOPY --from=build /out/ /\n"
	var out bytes.Buffer
	id, err := buildkit.Build(testContext(t), c, buildkit.Config{
		Context: tarOf(t, map[string]string{"Dockerfile": dockerfile}), NetworkMode: "none", Output: &out,
	})
	if err != nil {
		t.Fatal(err)
	}
	if id != "" {
		t.Errorf("image ID %q for a build sent to Output", id)
	}
	files := map[string]string{}
	tr := tar.NewReader(&out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the output is not a tar stream: %v", err)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = string(b)
	}
	if files["artifact"] != nonce+"\n" {
		t.Errorf("the output holds %q, want artifact with the nonce", files)
	}
}

// TestPullBase builds FROM an image only the test registry has: the
// daemon pulls it, with the session as its credential provider. The test
// registry asks for no credentials, so the provider is asked nothing (a
// registry asks only with a 401 challenge; TestSessionUnaryCalls checks
// the answers); were it asked, it must be for that registry.
func TestPullBase(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	registry := testdaemon.Registry(t)
	ctx := testContext(t)
	nonce := randomHex(t)
	remote := registry + "/dockersdk-buildkit/base:" + nonce
	if err := c.Call(ctx, "ImageTag", docker.Args{"name": busybox, "repo": registry + "/dockersdk-buildkit/base", "tag": nonce}, nil); err != nil {
		t.Fatal(err)
	}
	var push *docker.JSONStream[docker.JSONMessage]
	if err := c.Call(ctx, "ImagePush", docker.Args{"name": registry + "/dockersdk-buildkit/base", "tag": nonce}, &push); err != nil {
		t.Fatal(err)
	}
	if err := push.Wait(); err != nil {
		t.Fatalf("pushing %s: %v", remote, err)
	}
	// Only the registry has it now: the build must pull.
	if err := c.Call(ctx, "ImageDelete", docker.Args{"name": remote}, nil); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var asked []string
	_, err := buildkit.Build(ctx, c, buildkit.Config{
		Context:     tarOf(t, map[string]string{"Dockerfile": "FROM " + remote + "\nRUN true\n"}),
		NetworkMode: "none",
		Credentials: func(_ context.Context, host string) (*docker.AuthConfig, error) {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, host)
			return &docker.AuthConfig{}, nil // the test registry needs none
		},
	})
	if err != nil {
		t.Fatalf("building FROM %s: %v", remote, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range asked {
		if h != registry {
			t.Errorf("the session was asked credentials for %q while pulling from %s", h, registry)
		}
	}
	t.Cleanup(func() { c.Call(context.Background(), "ImageDelete", docker.Args{"name": remote, "force": true}, nil) })
}

// TestCloseWhileNext closes a Job from another goroutine than the one
// reading it (run with -race): Next ends, Err matches context.Canceled,
// and the daemon stops the step.
func TestCloseWhileNext(t *testing.T) {
	c := newClient(t)
	needBuildKit(t, c)
	marker := fmt.Sprintf("sleep %d", 800+time.Now().Nanosecond()%99)
	j, err := buildkit.Start(testContext(t), c, buildkit.Config{
		Context:     tarOf(t, map[string]string{"Dockerfile": "FROM " + busybox + "\nRUN " + marker + "\n"}),
		NetworkMode: "none", NoCache: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for j.Next() {
		}
	}()
	waitProcess(t, marker, true)
	j.Close()
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("Next did not end within 30 s of Close")
	}
	if err := j.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err() = %v, want one matching context.Canceled", err)
	}
	if id := j.ImageID(); id != "" {
		t.Errorf("ImageID() = %q after Close", id)
	}
	waitProcess(t, marker, false)
	j.Close() // a second Close is harmless
}
