package task

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// StderrTail is how much of the end of stderr an ExitError keeps.
const StderrTail = 4 << 10

// ExitError reports a container or an exec that exited with a non-zero
// code.
type ExitError struct {
	Code        int
	Stderr      []byte // the last StderrTail bytes of stderr (of the output, with a TTY)
	ContainerID string
	ExecID      string // set when the command was run by Exec
}

func (e *ExitError) Error() string {
	what := "container " + shortID(e.ContainerID)
	if e.ExecID != "" {
		what = "exec in " + what
	}
	msg := fmt.Sprintf("task: %s exited with code %d", what, e.Code)
	if tail := strings.TrimSpace(string(trimLeadingPartialRune(e.Stderr))); tail != "" {
		// Quoted: on one line, control characters escaped, so that
		// printing the error cannot drive a terminal.
		msg += "; stderr ends: " + strconv.Quote(tail)
	}
	return msg
}

// shortID shortens a full container or exec ID (64 hex digits) to the 12
// the docker CLI shows; a name, or anything else, is left whole.
func shortID(id string) string {
	if len(id) != 64 {
		return id
	}
	for _, r := range id {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return id
		}
	}
	return id[:12]
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func newTail(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.b = append(t.b[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	if over := len(t.b) + len(p) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	t.b = append(t.b, p...)
	return n, nil
}

// Bytes returns a copy of what is kept.
func (t *tailBuffer) Bytes() []byte { return append([]byte(nil), t.b...) }

// trimLeadingPartialRune drops the continuation bytes a cut at a byte
// count may leave at the start of a tail.
func trimLeadingPartialRune(b []byte) []byte {
	for i := 0; i < len(b) && i < utf8.UTFMax; i++ {
		if utf8.RuneStart(b[i]) {
			return b[i:]
		}
	}
	return b
}
