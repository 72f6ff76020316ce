package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// Label marks every container the benchmarks create, so that a run (or a
// later one, after a crash) removes exactly those.
const Label = "dockersdk.bench"

// Image is the image the fixtures run; internal/cmd/seedimage imports it.
const Image = "busybox:latest"

// Fixture holds the daemon-side objects the benchmarks use. It is built and
// removed through the SDK; nothing it does is measured.
type Fixture struct {
	Host      string
	setup     *SDK
	run       string // value of Label for this run
	Inspect   string // id of a stopped container to inspect
	Listed    int    // containers ContainerList(all) returned after setup
	LogsID    string // id of the exited container whose logs are read
	LogsBytes int64  // bytes it wrote to stdout

	mu      sync.Mutex
	created []string
}

// DefaultHost is DOCKER_HOST, or the repository's private test daemon.
func DefaultHost() string {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return h
	}
	return "unix:///tmp/dockersdk-daemon/docker.sock"
}

// NewFixture connects the setup client and removes containers left by an
// earlier run that did not clean up.
func NewFixture(ctx context.Context, host string) (*Fixture, error) {
	s, err := NewSDK(host)
	if err != nil {
		return nil, err
	}
	if _, err := s.api.SystemPing(ctx); err != nil {
		return nil, err
	}
	f := &Fixture{Host: host, setup: s, run: strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().Unix(), 36)}
	if err := f.removeLabelled(ctx, ""); err != nil {
		return nil, err
	}
	if _, err := s.api.ImageInspect(ctx, Image, v141.ImageInspectOptions{}); err != nil {
		return nil, fmt.Errorf("image %s: %w (seed it: DOCKER_HOST=%s go run ./internal/cmd/seedimage from the repository root)", Image, err, host)
	}
	return f, nil
}

func (f *Fixture) create(ctx context.Context, name string, cmd []string, attach bool, logDriver string) (string, error) {
	body := v141.ContainerCreateRequest{
		Image:        Image,
		Cmd:          cmd,
		Labels:       map[string]string{Label: f.run},
		AttachStdout: attach,
		AttachStderr: attach,
		HostConfig:   v141.HostConfig{NetworkMode: "none"},
	}
	if logDriver != "" {
		body.HostConfig.LogConfig = v141.HostConfigLogConfig{Type: v141.HostConfigLogConfigType(logDriver)}
	}
	r, err := f.setup.api.ContainerCreate(ctx, v141.ContainerCreateOptions{Name: name, Body: body})
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	f.created = append(f.created, r.ID)
	f.mu.Unlock()
	return r.ID, nil
}

// CreateStopped creates n containers that are never started (state
// "created"), with network mode none, for ContainerList and
// ContainerInspect.
func (f *Fixture) CreateStopped(ctx context.Context, n int) error {
	for i := 0; i < n; i++ {
		id, err := f.create(ctx, fmt.Sprintf("dsdkbench-%s-%02d", f.run, i), []string{"true"}, false, "")
		if err != nil {
			return err
		}
		if i == 0 {
			f.Inspect = id
		}
	}
	l, err := f.setup.api.ContainerList(ctx, v141.ContainerListOptions{All: true})
	if err != nil {
		return err
	}
	f.Listed = len(l)
	return nil
}

// Producer is the shell command that writes n bytes of lines of lineLen
// bytes (newline included) to stdout, with busybox's yes and head.
func Producer(n int64, lineLen int) []string {
	line := strings.Repeat("0123456789abcdef", lineLen/16+1)[:lineLen-1]
	return []string{"sh", "-c", fmt.Sprintf("yes %s | head -c %d", line, n)}
}

// MakeLogs runs a container that writes n bytes to stdout (json-file log
// driver) and waits for it to exit.
func (f *Fixture) MakeLogs(ctx context.Context, n int64, lineLen int) error {
	id, err := f.create(ctx, "dsdkbench-"+f.run+"-logs", Producer(n, lineLen), false, "json-file")
	if err != nil {
		return err
	}
	if err := f.setup.api.ContainerStart(ctx, id, v141.ContainerStartOptions{}); err != nil {
		return err
	}
	w, err := f.setup.api.ContainerWait(ctx, id, v141.ContainerWaitOptions{})
	if err != nil {
		return err
	}
	if w.StatusCode != 0 {
		return fmt.Errorf("log producer exited with %d", w.StatusCode)
	}
	f.LogsID, f.LogsBytes = id, n
	return nil
}

// AttachTarget creates a container (log driver none, so the daemon only
// copies to the attached client) that will write n bytes when started; start
// starts it.
func (f *Fixture) AttachTarget(ctx context.Context, n int64, lineLen int, tag string) (id string, start func() error, err error) {
	id, err = f.create(ctx, "dsdkbench-"+f.run+"-attach-"+tag, Producer(n, lineLen), true, "none")
	if err != nil {
		return "", nil, err
	}
	return id, func() error { return f.setup.api.ContainerStart(ctx, id, v141.ContainerStartOptions{}) }, nil
}

// Remove force-removes one container this fixture created.
func (f *Fixture) Remove(ctx context.Context, id string) error {
	err := f.setup.api.ContainerDelete(ctx, id, v141.ContainerDeleteOptions{Force: true, RemoveVolumes: true})
	if err != nil && !docker.IsNotFound(err) {
		return err
	}
	f.mu.Lock()
	for i, c := range f.created {
		if c == id {
			f.created = append(f.created[:i], f.created[i+1:]...)
			break
		}
	}
	f.mu.Unlock()
	return nil
}

// Close removes every container of this run (and any labelled leftovers).
func (f *Fixture) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	f.mu.Lock()
	ids := append([]string(nil), f.created...)
	f.mu.Unlock()
	for _, id := range ids {
		if err := f.Remove(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	if err := f.removeLabelled(ctx, ""); err != nil {
		errs = append(errs, err)
	}
	f.setup.Close()
	return errors.Join(errs...)
}

// removeLabelled removes containers carrying Label (with value run, or any
// value when run is "").
func (f *Fixture) removeLabelled(ctx context.Context, run string) error {
	sel := Label
	if run != "" {
		sel += "=" + run
	}
	l, err := f.setup.api.ContainerList(ctx, v141.ContainerListOptions{All: true, Filters: docker.Filters{"label": {sel}}})
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range l {
		err := f.setup.api.ContainerDelete(ctx, c.ID, v141.ContainerDeleteOptions{Force: true, RemoveVolumes: true})
		if err != nil && !docker.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Setup is the SDK client the fixture uses (not measured).
func (f *Fixture) Setup() *SDK { return f.setup }
