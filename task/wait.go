package task

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dockerclient/docker"
)

// A Strategy waits for a container to be ready in one respect.
type Strategy interface {
	// WaitReady returns nil once the condition holds. When ctx ends
	// first, or the condition can no longer hold, it returns an error
	// saying what it last saw (a *WaitError for this package's
	// strategies).
	WaitReady(ctx context.Context, c *docker.Client, container string) error
}

// WaitUntil applies the strategies in turn to a running container, all
// within ctx, and returns the first one's error.
//
//	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
//	defer cancel()
//	err := task.WaitUntil(ctx, c, id, task.WaitForLog("listening"), task.WaitForExec("test", "-f", "/ready"))
func WaitUntil(ctx context.Context, c *docker.Client, container string, strategies ...Strategy) error {
	for _, s := range strategies {
		if err := s.WaitReady(ctx, c, container); err != nil {
			return err
		}
	}
	return nil
}

// WaitError says what a strategy was waiting for, why it stopped and what
// it saw last.
type WaitError struct {
	Container string
	For       string // "log matching \"ready\"", "health", ...
	LastSeen  string // the last log lines, health status and probe, exec result or state
	Err       error  // ctx's error, or why the wait cannot succeed
}

func (e *WaitError) Error() string {
	msg := fmt.Sprintf("task: waiting for %s in container %s: %v", e.For, shortID(e.Container), e.Err)
	if e.LastSeen != "" {
		msg += "; last seen: " + e.LastSeen
	}
	return msg
}

func (e *WaitError) Unwrap() error { return e.Err }

// pollInterval is how often the polling strategies look again.
const pollInterval = 100 * time.Millisecond

// lastLines is how many lines of output WaitForLog's error shows.
const lastLines = 5

// WaitForLog waits for a line of the container's output (stdout or stderr,
// from its start) holding substr.
func WaitForLog(substr string) Strategy {
	return &logStrategy{what: "a log line holding " + strconv.Quote(substr), match: func(l string) bool { return strings.Contains(l, substr) }}
}

// WaitForLogMatch waits for a line of the container's output (stdout or
// stderr, from its start) that re matches.
func WaitForLogMatch(re *regexp.Regexp) Strategy {
	return &logStrategy{what: "a log line matching " + strconv.Quote(re.String()), match: re.MatchString}
}

type logStrategy struct {
	what  string
	match func(string) bool
}

var errMatched = errors.New("matched")

func (s *logStrategy) WaitReady(ctx context.Context, c *docker.Client, container string) error {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	var out *docker.Output
	args := docker.Args{"id": container, "follow": true, "stdout": true, "stderr": true}
	if err := c.CallVersion(ctx, v, "ContainerLogs", args, &out); err != nil {
		return &WaitError{Container: container, For: s.what, Err: err}
	}
	defer out.Close()
	// One writer per stream, so that a line cut short on one is never
	// joined to the other's bytes; the last lines seen are shared.
	var last []string
	lw := &lineWriter{match: s.match, last: &last}
	ew := &lineWriter{match: s.match, last: &last}
	err = out.Demux(lw, ew)
	if errors.Is(err, errMatched) {
		return nil
	}
	if err == nil && (lw.matchRest() || ew.matchRest()) {
		return nil
	}
	werr := &WaitError{Container: container, For: s.what, LastSeen: lw.seen(), Err: unwrapCtx(ctx, err)}
	if err == nil {
		werr.Err = errors.New("the output ended, container " + describeState(ctx, c, v, container))
	}
	return werr
}

// maxLine bounds a line kept for matching; a longer one is matched in
// pieces.
const maxLine = 64 << 10

// lineWriter matches whole lines of one output stream and keeps the last
// few, in a list it may share with another stream's writer.
type lineWriter struct {
	match   func(string) bool
	partial []byte
	last    *[]string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			if len(w.partial) < maxLine {
				return n, nil
			}
			p = nil
		} else {
			w.partial = append(w.partial, p[:i]...)
			p = p[i+1:]
		}
		line := strings.TrimSuffix(string(w.partial), "\r")
		w.partial = w.partial[:0]
		w.keep(line)
		if w.match(line) {
			return n, errMatched
		}
	}
	return n, nil
}

func (w *lineWriter) keep(line string) {
	if len(*w.last) == lastLines {
		*w.last = append((*w.last)[:0], (*w.last)[1:]...)
	}
	*w.last = append(*w.last, line)
}

// matchRest matches the unfinished line the output ended with.
func (w *lineWriter) matchRest() bool {
	if len(w.partial) == 0 {
		return false
	}
	line := string(w.partial)
	w.partial = nil
	w.keep(line)
	return w.match(line)
}

func (w *lineWriter) seen() string {
	if len(*w.last) == 0 {
		return "no output"
	}
	quoted := make([]string, len(*w.last))
	for i, l := range *w.last {
		quoted[i] = strconv.Quote(truncate(l, 512))
	}
	return "last lines " + strings.Join(quoted, ", ")
}

// WaitForHealthy waits for the container's health check to report healthy.
// A container without a health check, or one that stopped, fails at once.
func WaitForHealthy() Strategy { return healthStrategy{} }

type healthStrategy struct{}

func (healthStrategy) WaitReady(ctx context.Context, c *docker.Client, container string) error {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	seen := ""
	fail := func(err error) error {
		return &WaitError{Container: container, For: "health", LastSeen: seen, Err: err}
	}
	for {
		st, err := inspectState(ctx, c, v, container)
		switch {
		case err != nil && ctx.Err() != nil:
			return fail(ctx.Err())
		case err != nil:
			return fail(err)
		case st.Health == nil || st.Health.Status == "":
			// Podman answers an empty Health where Docker has none.
			return fail(errors.New("the container has no health check"))
		}
		seen = "health " + strconv.Quote(st.Health.Status)
		if n := len(st.Health.Log); n > 0 {
			probe := st.Health.Log[n-1]
			seen += fmt.Sprintf(", last probe exit code %d, output %q", probe.ExitCode, truncate(strings.TrimSpace(probe.Output), 512))
		}
		if st.Health.Status == "healthy" {
			return nil
		}
		if !st.Running {
			return fail(errors.New("the container is not running (" + st.String() + ")"))
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return fail(err)
		}
	}
}

// WaitForExec waits for a command run in the container (as by Exec) to
// exit with code 0, running it again every 100ms until it does.
func WaitForExec(cmd ...string) Strategy { return execStrategy{cmd} }

type execStrategy struct{ cmd []string }

func (s execStrategy) WaitReady(ctx context.Context, c *docker.Client, container string) error {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("%q to succeed", s.cmd)
	seen := ""
	for {
		out := newTail(512)
		code, err := Exec(ctx, c, container, ExecConfig{Cmd: s.cmd, Stdout: out, Stderr: out, APIVersion: v})
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return &WaitError{Container: container, For: what, LastSeen: seen, Err: ctx.Err()}
		}
		var ee *ExitError
		if errors.As(err, &ee) {
			seen = fmt.Sprintf("exit code %d, output %q", code, strings.TrimSpace(string(trimLeadingPartialRune(out.Bytes()))))
		} else {
			seen = err.Error()
			if st, serr := inspectState(ctx, c, v, container); serr == nil && !st.Running {
				return &WaitError{Container: container, For: what, LastSeen: seen, Err: errors.New("the container is not running (" + st.String() + ")")}
			}
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return &WaitError{Container: container, For: what, LastSeen: seen, Err: err}
		}
	}
}

// WaitForExit waits for the container to stop, whatever its exit code.
func WaitForExit() Strategy { return exitStrategy{} }

type exitStrategy struct{}

func (exitStrategy) WaitReady(ctx context.Context, c *docker.Client, container string) error {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	if _, err := waitExit(ctx, c, v, container, nil); err != nil {
		return &WaitError{Container: container, For: "the exit", LastSeen: "container " + describeState(ctx, c, v, container), Err: unwrapCtx(ctx, err)}
	}
	return nil
}

// unwrapCtx gives ctx's own error when ctx ended, else err.
func unwrapCtx(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// describeState says what state the container is in, asking even after
// ctx ended (for the error that says so).
func describeState(ctx context.Context, c *docker.Client, v, id string) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	st, err := inspectState(ctx, c, v, id)
	if err != nil {
		if docker.IsNotFound(err) {
			return "removed"
		}
		return "in an unknown state (" + err.Error() + ")"
	}
	return st.String()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
