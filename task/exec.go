package task

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/dockerclient/docker"
)

// ExecConfig describes a command for Exec.
type ExecConfig struct {
	Cmd        []string
	Env        []string // "KEY=value", added to the container's
	WorkingDir string   // needs API 1.35
	User       string
	TTY        bool // allocate a terminal: output is raw, stderr joins stdout

	// Stdin, when set, is copied to the command's stdin, which is closed
	// when Stdin ends. A nil Stdout or Stderr discards that stream.
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// APIVersion pins the API version of the calls; "" uses the client's.
	APIVersion string
}

// Exec runs a command in a running container and returns its exit code,
// once its output has been read to the end: stdout and stderr go to
// cfg.Stdout and cfg.Stderr as they come. A non-zero code comes with an
// *ExitError holding the end of stderr.
//
// When Stdin is set, a goroutine copies it; a Read blocked in Stdin when
// the command ends returns in its own time, and what it read is dropped.
func Exec(ctx context.Context, c *docker.Client, container string, cfg ExecConfig) (int, error) {
	if len(cfg.Cmd) == 0 {
		return -1, fmt.Errorf("task: Exec in container %s: ExecConfig.Cmd is empty", shortID(container))
	}
	v, err := apiVersion(ctx, c, cfg.APIVersion)
	if err != nil {
		return -1, err
	}
	body := map[string]any{"AttachStdout": true, "AttachStderr": true, "Cmd": cfg.Cmd}
	if cfg.Stdin != nil {
		body["AttachStdin"] = true
	}
	if cfg.TTY {
		body["Tty"] = true
	}
	if cfg.Env != nil {
		body["Env"] = cfg.Env
	}
	if cfg.WorkingDir != "" {
		body["WorkingDir"] = cfg.WorkingDir
	}
	if cfg.User != "" {
		body["User"] = cfg.User
	}
	var created struct {
		ID string `json:"Id"`
	}
	if err := c.CallVersion(ctx, v, "ContainerExec", docker.Args{"id": container, "body": body}, &created); err != nil {
		return -1, fmt.Errorf("task: creating an exec of %q in container %s: %w", cfg.Cmd, shortID(container), err)
	}
	var conn *docker.HijackedConn
	start := map[string]any{"Detach": false, "Tty": cfg.TTY}
	if err := c.CallVersion(ctx, v, "ExecStart", docker.Args{"id": created.ID, "body": start}, &conn); err != nil {
		return -1, fmt.Errorf("task: starting %q in container %s: %w", cfg.Cmd, shortID(container), err)
	}
	defer conn.Close()
	conn.TTY = cfg.TTY // what the daemon goes by, and says itself only from API 1.42
	tail, err := pump(conn, cfg.Stdin, cfg.Stdout, cfg.Stderr, cfg.TTY)
	if err != nil {
		return -1, fmt.Errorf("task: reading the output of %q in container %s: %w", cfg.Cmd, shortID(container), err)
	}
	code, err := execExitCode(ctx, c, v, created.ID)
	if err != nil {
		return -1, fmt.Errorf("task: the exit code of %q in container %s: %w", cfg.Cmd, shortID(container), err)
	}
	if code != 0 {
		return code, &ExitError{Code: code, Stderr: tail.Bytes(), ContainerID: container, ExecID: created.ID}
	}
	return 0, nil
}

// execExitCode asks ExecInspect for the exit code, again while the daemon
// still reports the exec running: its output can end a moment before the
// daemon records the exit.
func execExitCode(ctx context.Context, c *docker.Client, v, id string) (int, error) {
	delay := 5 * time.Millisecond
	for {
		var res struct {
			Running  bool
			ExitCode *int
		}
		if err := c.CallVersion(ctx, v, "ExecInspect", docker.Args{"id": id}, &res); err != nil {
			return -1, err
		}
		if !res.Running && res.ExitCode != nil {
			return *res.ExitCode, nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return -1, ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}
