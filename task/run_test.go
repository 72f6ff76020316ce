package task_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/task"
)

// runConfig is a container of the test image without a network.
func runConfig(t *testing.T, cmd ...string) task.Config {
	return task.Config{Image: busybox, Cmd: cmd, NetworkMode: "none", Labels: labels(t)}
}

// A container that prints and exits at once loses neither its first lines
// nor its exit code, at every version where the wait is registered
// differently.
func TestRunFastContainer(t *testing.T) {
	for _, version := range []string{"", "1.29", "1.30"} {
		t.Run("api"+version, func(t *testing.T) {
			c, _ := newClient(t)
			ctx := testContext(t)
			if version != "" && !serves(t, c, version) {
				t.Skipf("the daemon does not serve API %s", version)
			}
			for i := 0; i < 3; i++ {
				var stdout, stderr bytes.Buffer
				cfg := runConfig(t, "sh", "-c", "echo first; echo oops >&2; exit 3")
				cfg.Stdout, cfg.Stderr, cfg.APIVersion = &stdout, &stderr, version
				id, err := task.Run(ctx, c, cfg)
				var ee *task.ExitError
				if !errors.As(err, &ee) || ee.Code != 3 || ee.ContainerID != id {
					t.Fatalf("Run: %v, want an *ExitError with code 3", err)
				}
				if stdout.String() != "first\n" || stderr.String() != "oops\n" || string(ee.Stderr) != "oops\n" {
					t.Fatalf("stdout %q, stderr %q, tail %q", stdout.String(), stderr.String(), ee.Stderr)
				}
				if want := `exited with code 3; stderr ends: "oops"`; !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
				assertGone(t, c, id)
			}
		})
	}
}

func TestRunTTYStdinKeep(t *testing.T) {
	c, _ := newClient(t)
	ctx := testContext(t)

	var out bytes.Buffer
	cfg := runConfig(t, "sh", "-c", "echo tty; echo err >&2")
	cfg.TTY, cfg.Stdout = true, &out
	if _, err := task.Run(ctx, c, cfg); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "tty\r\nerr\r\n" {
		t.Errorf("TTY output %q, want both streams raw on stdout", got)
	}

	out.Reset()
	cfg = runConfig(t, "cat")
	cfg.Stdin, cfg.Stdout, cfg.Keep = strings.NewReader("piped\n"), &out, true
	id, err := task.Run(ctx, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "piped\n" {
		t.Errorf("cat echoed %q", out.String())
	}
	var st struct{ State struct{ Status string } }
	if err := c.Call(ctx, "ContainerInspect", docker.Args{"id": id}, &st); err != nil || st.State.Status != "exited" {
		t.Errorf("kept container: %+v, %v", st, err)
	}
	c.Call(ctx, "ContainerDelete", docker.Args{"id": id, "force": true}, nil)
}

// Cancelling Run removes the container it started.
func TestRunCancelRemoves(t *testing.T) {
	c, _ := newClient(t)
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	cfg := runConfig(t, "sh", "-c", "echo started; sleep 60")
	cfg.Stdout = writerFunc(func(p []byte) (int, error) { cancel(); return len(p), nil })
	id, err := task.Run(ctx, c, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want the context's error", err)
	}
	assertGone(t, c, id)
}

func TestStartDetached(t *testing.T) {
	c, podman := newClient(t)
	ctx := testContext(t)
	cfg := runConfig(t, "sh", "-c", "echo hello; sleep 0.2; echo bye >&2; exit 7")
	ct, err := task.Start(ctx, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ct.Remove(ctx)
	code, err := ct.Wait(ctx)
	if err != nil || code != 7 {
		t.Fatalf("Wait: %d, %v; want 7", code, err)
	}
	var stdout, stderr bytes.Buffer
	if err := ct.Logs(ctx, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "hello\n" || stderr.String() != "bye\n" {
		t.Errorf("Logs: %q, %q", stdout.String(), stderr.String())
	}
	if err := ct.Remove(ctx); err != nil {
		t.Fatal(err)
	}

	// The daemon removes an AutoRemove container at its exit; the wait
	// registered before the start still has its code.
	cfg = runConfig(t, "sh", "-c", "exit 4")
	cfg.AutoRemove = true
	if ct, err = task.Start(ctx, c, cfg); err != nil {
		t.Fatal(err)
	}
	if code, err := ct.Wait(ctx); err != nil || code != 4 {
		t.Fatalf("Wait (AutoRemove): %d, %v; want 4", code, err)
	}
	if err := ct.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if !podman { // Podman removes an AutoRemove container a moment later
		assertGone(t, c, ct.ID)
	}

	cfg = runConfig(t, "sleep", "60")
	if ct, err = task.Start(ctx, c, cfg); err != nil {
		t.Fatal(err)
	}
	if err := ct.Stop(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if code, err := ct.Wait(ctx); err != nil || code != 137 {
		t.Errorf("Wait after Stop: %d, %v; want 137 (SIGKILL)", code, err)
	}
	if err := ct.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := task.Start(ctx, c, task.Config{Image: busybox, Stdout: &stdout}); err == nil {
		t.Error("Start took a Stdout")
	}
}

func TestExec(t *testing.T) {
	c, _ := newClient(t)
	ctx := testContext(t)
	ct, err := task.Start(ctx, c, runConfig(t, "sleep", "60"))
	if err != nil {
		t.Fatal(err)
	}
	defer ct.Remove(ctx)

	var stdout, stderr bytes.Buffer
	code, err := task.Exec(ctx, c, ct.ID, task.ExecConfig{
		Cmd:    []string{"sh", "-c", "echo out; echo err >&2; exit 5"},
		Stdout: &stdout, Stderr: &stderr,
	})
	var ee *task.ExitError
	if code != 5 || !errors.As(err, &ee) || ee.Code != 5 || ee.ExecID == "" || string(ee.Stderr) != "err\n" {
		t.Fatalf("Exec: %d, %v; want code 5 and an *ExitError", code, err)
	}
	if stdout.String() != "out\n" || stderr.String() != "err\n" {
		t.Errorf("Exec output %q, %q", stdout.String(), stderr.String())
	}

	// Stdin is closed after it is copied, so cat ends; a large output is
	// read whole before the exit code is asked for.
	stdout.Reset()
	big := strings.Repeat("0123456789abcdef", 64<<10)
	code, err = task.Exec(ctx, c, ct.ID, task.ExecConfig{Cmd: []string{"cat"}, Stdin: strings.NewReader(big), Stdout: &stdout})
	if code != 0 || err != nil || stdout.String() != big {
		t.Fatalf("Exec cat: %d, %v, %d bytes back of %d", code, err, stdout.Len(), len(big))
	}

	stdout.Reset()
	code, err = task.Exec(ctx, c, ct.ID, task.ExecConfig{Cmd: []string{"sh", "-c", "echo $X; echo e >&2"}, Env: []string{"X=y"}, TTY: true, Stdout: &stdout})
	if code != 0 || err != nil || stdout.String() != "y\r\ne\r\n" {
		t.Fatalf("Exec TTY: %d, %v, %q", code, err, stdout.String())
	}
}

// serves reports whether the daemon accepts API version v.
func serves(t *testing.T, c *docker.Client, v string) bool {
	r, err := c.DaemonVersions(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	return r.Contains(v)
}

// assertGone fails the test when container id still exists.
func assertGone(t *testing.T, c *docker.Client, id string) {
	t.Helper()
	err := c.Call(testContext(t), "ContainerInspect", docker.Args{"id": id}, nil)
	if !docker.IsNotFound(err) {
		t.Errorf("container %s: inspect says %v, want it removed", id, err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// AutoRemove asked in CreateBody's HostConfig, as a map or as another JSON
// value (a version package's struct), is honoured: the run ends clean and
// the container is gone, never left behind nor reported as a failed removal.
func TestRunAutoRemoveInCreateBody(t *testing.T) {
	c, _ := newClient(t)
	ctx := testContext(t)
	if !serves(t, c, "1.30") {
		t.Skip("AutoRemove needs API 1.30")
	}
	type hostConfig struct {
		NetworkMode string
		AutoRemove  bool
	}
	for name, hc := range map[string]any{
		"map":    map[string]any{"AutoRemove": true},
		"struct": hostConfig{NetworkMode: "none", AutoRemove: true},
	} {
		t.Run(name, func(t *testing.T) {
			for i := 0; i < 3; i++ {
				cfg := runConfig(t, "true")
				cfg.CreateBody = map[string]any{"HostConfig": hc}
				id, err := task.Run(ctx, c, cfg)
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				assertGone(t, c, id)
			}
		})
	}
	cfg := runConfig(t, "true")
	cfg.CreateBody = map[string]any{"HostConfig": 42}
	if _, err := task.Run(ctx, c, cfg); err == nil || !strings.Contains(err.Error(), `CreateBody["HostConfig"] (int) is not a JSON object`) {
		t.Errorf("Run with a HostConfig of 42: %v, want an error naming it", err)
	}
}
