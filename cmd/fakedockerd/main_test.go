package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dockerclient "github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/apispec"
	"github.com/dockerclient/docker/internal/leakcheck"
	"github.com/dockerclient/docker/internal/testdaemon"
)

func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }

// script is what the docker CLI is answered beyond the spec's defaults: a
// container list, an inspect, and what docker run needs (create, attach's
// output, the exit status).
const script = `{
  "exchanges": [
    {"op": "ContainerList", "body": [{"Id": "4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee4f1c0ffee", "Names": ["/web"],
      "Image": "nginx:1.27", "Command": "nginx -g 'daemon off;'", "Created": 1700000000, "State": "running",
      "Status": "Up 2 hours", "Ports": [], "Labels": {}, "Mounts": []}]},
    {"op": "ImageList", "body": [{"Id": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
      "ParentId": "", "RepoTags": ["busybox:latest"], "RepoDigests": [], "Created": 1700000000, "Size": 4261550,
      "SharedSize": -1, "VirtualSize": 4261550, "Labels": {}, "Containers": 1}]},
    {"op": "ContainerCreate", "status": 201, "body": {"Id": "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff", "Warnings": []}},
    {"op": "ContainerAttach", "frames": [{"stdout": "hello from the fake daemon\n"}]},
    {"op": "ContainerWait", "body": {"StatusCode": 0}}
  ]
}`

// TestDockerCLI runs the docker CLI against fakedockerd on a unix socket:
// each command must succeed, print what was scripted, and send only
// requests that conform to the spec of the API version the CLI speaks
// (1.50 for the CLI 28.2, 1.41 for Debian 12's 20.10), which the fake
// serves. (At a lower version a newer CLI sends fields that version lacks:
// the CLI 28.2 at 1.47 sends NetworkingConfig's GwPriority, added in 1.48,
// which a real daemon ignores and the fake reports.)
func TestDockerCLI(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker CLI on PATH (install Debian's docker.io, or any docker CLI, to run this test)")
	}
	dir := t.TempDir()
	api := cliAPIVersion(t, docker, dir)
	file := filepath.Join(dir, "script.json")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "docker.sock")
	var log syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-api", api, "-listen", "unix://" + sock, "-replay", file}, &log, func(h string) { ready <- h })
	}()
	var host string
	select {
	case host = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("fakedockerd: %v\n%s", err, log.String())
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	defer stop()

	cfg := filepath.Join(dir, "config")
	os.MkdirAll(cfg, 0o700)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DOCKER_") {
			env = append(env, kv)
		}
	}
	env = append(env, "DOCKER_HOST="+host, "DOCKER_CONFIG="+cfg, "DOCKER_CLI_HINTS=false")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"version"}, []string{"Server:", "API version:", api}},
		{[]string{"ps", "-a"}, []string{"4f1c0ffee4f1", "nginx:1.27", "Up 2 hours", "web"}},
		{[]string{"images"}, []string{"busybox", "latest", "111111111111"}},
		{[]string{"inspect", "web"}, []string{`"Id":`, `"State":`}},
		{[]string{"run", "--rm", "busybox", "echo", "hi"}, []string{"hello from the fake daemon"}},
	} {
		cmd := exec.Command(docker, c.args...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		ctx, cancelCmd := context.WithTimeout(context.Background(), 30*time.Second)
		err := runCmd(ctx, cmd)
		cancelCmd()
		if err != nil {
			t.Errorf("docker %s: %v\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), err, stdout.String(), stderr.String())
			continue
		}
		if c.args[0] == "version" && strings.Count(stdout.String(), api) < 2 {
			t.Errorf("docker version: the server's API version is not %s:\n%s", api, stdout.String())
		}
		for _, w := range c.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("docker %s: output lacks %q:\n%s", strings.Join(c.args, " "), w, stdout.String())
			}
		}
		t.Logf("docker %s:\n%s", strings.Join(c.args, " "), stdout.String())
	}
	if err := stop(); err != nil {
		t.Errorf("fakedockerd: %v", err)
	}
	if strings.Contains(log.String(), "dockertest:") {
		t.Errorf("the docker CLI sent requests the spec does not allow:\n%s", log.String())
	}
}

// cliAPIVersion asks the docker CLI which API version it speaks at most,
// with no daemon behind DOCKER_HOST (so it prints its own part only).
func cliAPIVersion(t *testing.T, docker, dir string) string {
	cmd := exec.Command(docker, "version", "--format", "{{.Client.APIVersion}}")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "DOCKER_CONFIG=" + dir,
		"DOCKER_HOST=unix://" + filepath.Join(dir, "nothing.sock")}
	var out bytes.Buffer
	cmd.Stdout = &out
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	runCmd(ctx, cmd) // fails: no daemon
	v := strings.TrimSpace(out.String())
	if v == "" {
		t.Fatalf("docker version --format {{.Client.APIVersion}} printed nothing")
	}
	if v > "1.57" || len(v) != 4 {
		t.Logf("the docker CLI speaks API %s; the fake serves 1.57 at most", v)
		v = "1.57"
	}
	return v
}

// fake is fakedockerd run in the test's process.
type fake struct {
	host   string
	log    syncBuffer
	cancel context.CancelFunc
	done   chan error
	err    error
	ended  bool
}

func startFake(t *testing.T, args ...string) *fake {
	t.Helper()
	f := &fake{done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	ready := make(chan string, 1)
	go func() { f.done <- run(ctx, args, &f.log, func(h string) { ready <- h }) }()
	select {
	case f.host = <-ready:
	case err := <-f.done:
		cancel()
		t.Fatalf("fakedockerd %q: %v\n%s", args, err, f.log.String())
	}
	t.Cleanup(func() { f.stop() })
	return f
}

// stop stops it and returns run's error.
func (f *fake) stop() error {
	if !f.ended {
		f.ended = true
		f.cancel()
		f.err = <-f.done
	}
	return f.err
}

// cli runs the docker CLI against host and returns its stdout.
func cli(t *testing.T, docker, host, dir string, args ...string) string {
	t.Helper()
	cfg := filepath.Join(dir, "config")
	os.MkdirAll(cfg, 0o700)
	cmd := exec.Command(docker, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DOCKER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "DOCKER_HOST="+host, "DOCKER_CONFIG="+cfg, "DOCKER_CLI_HINTS=false")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := runCmd(ctx, cmd); err != nil {
		t.Errorf("docker %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestDockerCLIRecordReplay records the docker CLI's calls to the daemon
// DOCKER_TEST_HOST names, a container run included (attach passes through),
// then replays the file: the CLI lists the same image and container.
func TestDockerCLIRecordReplay(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker CLI on PATH")
	}
	host := testdaemon.Host(t)
	repo := "dockersdk-fakedockerd-busybox"
	if err := testdaemon.ImportBusybox(host, repo); err != nil {
		t.Fatal(err)
	}
	c, err := dockerclient.New(dockerclient.WithHost(host))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	api, err := c.Negotiate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cliAPI := cliAPIVersion(t, docker, dir)
	if apispec.Minor(cliAPI) < apispec.Minor(api) {
		api = cliAPI
	}
	file := filepath.Join(dir, "rec.json")
	name := "dockersdk-fakedockerd-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	rec := startFake(t, "-api", api, "-listen", "unix://"+filepath.Join(dir, "rec.sock"), "-record", file, "-upstream", host)
	if out := cli(t, docker, rec.host, dir, "run", "--name", name, repo, "echo", "recorded hello"); !strings.Contains(out, "recorded hello") {
		t.Errorf("docker run through the recorder: %q", out)
	}
	defer cli(t, docker, host, dir, "rm", "-f", name)
	images := cli(t, docker, rec.host, dir, "images", "--format", "{{.Repository}} {{.ID}}", repo)
	ps := cli(t, docker, rec.host, dir, "ps", "-a", "--filter", "name="+name, "--format", "{{.ID}} {{.Image}} {{.Names}}")
	if err := rec.stop(); err != nil {
		// A CLI newer than the daemon sends the endpoint fields of its own
		// API version whatever version it speaks; the daemon ignores them,
		// the fake reports them. Anything else is a failure.
		if bad := unexpected(rec.log.String(), apispec.Minor(cliAPI) > apispec.Minor(api)); len(bad) > 0 {
			t.Errorf("recording: %v\n%s", err, strings.Join(bad, "\n"))
		} else {
			t.Logf("the CLI (API %s) at API %s:\n%s", cliAPI, api, rec.log.String())
		}
	}
	if !strings.Contains(images, repo) || !strings.Contains(ps, name) {
		t.Errorf("recorded: images %q, ps %q", images, ps)
	}

	rep := startFake(t, "-replay", file, "-listen", "unix://"+filepath.Join(dir, "replay.sock"))
	if got := cli(t, docker, rep.host, dir, "images", "--format", "{{.Repository}} {{.ID}}", repo); got != images {
		t.Errorf("replayed images %q, recorded %q", got, images)
	}
	if got := cli(t, docker, rep.host, dir, "ps", "-a", "--filter", "name="+name, "--format", "{{.ID}} {{.Image}} {{.Names}}"); got != ps {
		t.Errorf("replayed ps %q, recorded %q", got, ps)
	}
	if err := rep.stop(); err != nil {
		t.Errorf("replay: %v\n%s", err, rep.log.String())
	}
	t.Logf("API v%s: recorded docker run, images and ps; replayed images and ps:\n%s%s", api, images, ps)
}

// newerCLIFields are what the docker CLI 28.2 sends at API 1.41 and 1.47
// though those versions lack them (DNSNames came in 1.44, GwPriority in
// 1.48).
var newerCLIFields = regexp.MustCompile(`ContainerCreate: body\.NetworkingConfig\.EndpointsConfig\.[^:]+: unknown property "(DNSNames|GwPriority)"$`)

// unexpected returns the failures in a fakedockerd log, less those of a
// newer CLI when newerCLI is set.
func unexpected(log string, newerCLI bool) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if strings.HasPrefix(line, "dockertest:") && !(newerCLI && newerCLIFields.MatchString(line)) {
			out = append(out, line)
		}
	}
	return out
}

func runCmd(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		cmd.Process.Kill()
		<-done
		return ctx.Err()
	}
}

func TestFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-api is required"},
		{[]string{"-api", "1.47", "-record", "x.json"}, "-record needs -upstream"},
		{[]string{"-api", "1.47", "-upstream", "unix:///x"}, "-upstream is for -record"},
		{[]string{"-replay", "a", "-record", "b", "-upstream", "unix:///x"}, "exclude each other"},
		{[]string{"-api", "1.99"}, `no spec for API version "1.99"`},
		{[]string{"-api", "1.47", "-listen", "tcp://10.1.2.3:2375"}, "not a loopback address"},
		{[]string{"-api", "1.47", "extra"}, "unexpected arguments"},
	} {
		var log syncBuffer
		err := run(context.Background(), c.args, &log, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.args, err, c.want)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
