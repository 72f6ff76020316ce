package task_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker/task"
)

func TestWaitUntil(t *testing.T) {
	c, podman := newClient(t)
	ctx := testContext(t)
	cfg := runConfig(t, "sh", "-c", "echo starting; sleep 0.3; echo ready now >&2; sleep 0.3; echo > /tmp/ready; sleep 60")
	// Seconds as nanoseconds: the API's durations.
	cfg.CreateBody = map[string]any{"Healthcheck": map[string]any{
		"Test": []string{"CMD-SHELL", "test -f /tmp/ready || { echo not yet; exit 1; }"}, "Interval": int64(200 * time.Millisecond),
	}}
	ct, err := task.Start(ctx, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ct.Remove(ctx)

	if err := task.WaitUntil(ctx, c, ct.ID,
		task.WaitForLog("ready"), task.WaitForLogMatch(regexp.MustCompile(`^start`)),
		task.WaitForExec("sh", "-c", "test -f /tmp/ready"),
	); err != nil {
		t.Fatal(err)
	}
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = task.WaitUntil(hctx, c, ct.ID, task.WaitForHealthy())
	if podman {
		// Podman runs health checks from systemd timers, which this
		// machine does not have: the status stays "starting".
		expectWaitError(t, err, `health "starting"`)
	} else if err != nil {
		t.Fatal(err)
	}

	// Timeouts say what was seen last.
	expectTimeout := func(s task.Strategy, want string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		err := task.WaitUntil(ctx, c, ct.ID, s)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%v, want the context's deadline", err)
		}
		expectWaitError(t, err, want)
	}
	expectTimeout(task.WaitForLog("never"), `last lines "starting", "ready now"`)
	expectTimeout(task.WaitForExec("sh", "-c", "echo nope; exit 2"), `last seen: exit code 2, output "nope"`)
	expectTimeout(task.WaitForExit(), `last seen: container running`)

	plain, err := task.Start(ctx, c, runConfig(t, "sh", "-c", "echo bye; exit 3"))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Remove(ctx)
	if err := task.WaitUntil(ctx, c, plain.ID, task.WaitForExit()); err != nil {
		t.Fatal(err)
	}
	expectWaitError(t, task.WaitUntil(ctx, c, plain.ID, task.WaitForHealthy()), "has no health check")
	expectWaitError(t, task.WaitUntil(ctx, c, plain.ID, task.WaitForLog("never")), `the output ended, container exited with code 3; last seen: last lines "bye"`)
}

func expectWaitError(t *testing.T, err error, want string) {
	t.Helper()
	var we *task.WaitError
	if !errors.As(err, &we) || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant a *task.WaitError saying %s", err, want)
	}
}
