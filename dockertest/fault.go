package dockertest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Fault is something going wrong, as it does with real daemons and the
// proxies in front of them. The fields combine: a delay, then an error
// status, or an answer cut short.
type Fault struct {
	// Delay holds the answer back (the request is read first).
	Delay time.Duration
	// Status answers with this status and the daemon's error body
	// ({"message": Message}) instead of the operation's answer. Unlike a
	// scripted answer's, it need not be one the spec declares: proxies
	// and overloaded daemons send 502s and 503s no spec lists.
	Status  int
	Message string
	// Close closes the connection after After bytes of the answer's
	// body, in the middle of a JSON value or a stream: the client sees
	// an unexpected EOF.
	Close bool
	// Truncate ends the answer's body cleanly after After bytes: the
	// client sees a body or a stream that simply stops.
	Truncate bool
	After    int
	// ReadRate reads the request's body at this many bytes a second, as
	// a daemon busy unpacking a build context does.
	ReadRate int
	// Times is how many calls the fault hits; 0 is every call.
	Times int
}

type faultState struct {
	Fault
	hits int
}

// Fault makes an operation (by operationId), or every operation when op is
// "", misbehave. Faults of an operation come before faults of every
// operation; of several, the first that has calls left applies.
func (s *Server) Fault(op string, f Fault) {
	if op != "" && s.route(op) == nil {
		s.fail("Fault", []string{s.unknownOp(op)})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = append(s.faults[op], &faultState{Fault: f})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*faultState{}
}

// findFault returns the fault that applies to a call of op; take counts
// the call against its Times. The server looks before it reads the body
// (for ReadRate) and takes the fault only once the request has passed its
// checks, so that a refused request does not use it up.
func (s *Server) findFault(op string, take bool) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{op, ""} {
		for _, f := range s.faults[key] {
			if f.Times == 0 || f.hits < f.Times {
				if take {
					f.hits++
				}
				cp := f.Fault
				return &cp
			}
		}
	}
	return nil
}

// faultWriter cuts a response's body short. A hijacked answer (attach,
// exec) is cut at the connection instead (see cutConn).
type faultWriter struct {
	http.ResponseWriter
	fault    *Fault
	written  int
	cut      bool // the fault applied
	hijacked bool
}

// finish applies the fault to an answer whose body ended before After
// bytes: an empty body (204, a HEAD) with Close and After 0 is a
// connection dropped before the answer; anything else cannot apply and
// fails the test.
func (w *faultWriter) finish(s *Server, op string) {
	if w.cut || w.hijacked {
		return
	}
	if w.fault.Close && w.written == 0 && w.fault.After == 0 {
		// The headers are still buffered: net/http closes the connection
		// on this panic without sending them.
		panic(http.ErrAbortHandler)
	}
	kind := "Truncate"
	if w.fault.Close {
		kind = "Close"
	}
	s.fail(op, []string{fmt.Sprintf("Fault{%s, After: %d} cannot apply: the answer's body has only %d bytes", kind, w.fault.After, w.written)})
}

func (w *faultWriter) Write(p []byte) (int, error) {
	if w.cut {
		return len(p), nil
	}
	left := w.fault.After - w.written
	if left >= len(p) {
		w.written += len(p)
		return w.ResponseWriter.Write(p)
	}
	w.cut = true
	if left > 0 {
		w.ResponseWriter.Write(p[:left])
		w.written += left
	}
	if w.fault.Close {
		// Send what was written, then drop the connection without
		// ending the body: net/http closes it on this panic.
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	return len(p), nil // Truncate: the rest is dropped
}

func (w *faultWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController (and hijacking) reach the connection.
func (w *faultWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// slowReader reads at most rate bytes a second.
type slowReader struct {
	r    io.Reader
	rate int
	done <-chan struct{}
}

func (r *slowReader) Read(p []byte) (int, error) {
	n := max(1, r.rate/10) // a tenth of a second's worth at a time
	if len(p) > n {
		p = p[:n]
	}
	t := time.NewTimer(time.Duration(len(p)) * time.Second / time.Duration(r.rate))
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.done:
		return 0, io.ErrUnexpectedEOF
	}
	return r.r.Read(p)
}

// errCut ends a hijacked stream that a fault cut.
var errCut = errors.New("dockertest: cut by a fault")

// cutConn writes a hijacked stream, and applies a fault to it: after After
// bytes (past the 101 and its headers) it closes the connection, with a
// reset for Close and cleanly for Truncate.
type cutConn struct {
	w       *bufio.Writer
	conn    net.Conn
	fault   *Fault
	written int
	cut     bool
}

func (c *cutConn) Write(p []byte) (int, error) {
	if c.cut {
		return 0, errCut
	}
	if c.fault == nil || !(c.fault.Close || c.fault.Truncate) {
		return c.w.Write(p)
	}
	left := c.fault.After - c.written
	if left >= len(p) {
		c.written += len(p)
		return c.w.Write(p)
	}
	c.w.Write(p[:max(left, 0)])
	c.w.Flush()
	c.cut = true
	if tc, ok := c.conn.(*net.TCPConn); ok && c.fault.Close {
		tc.SetLinger(0) // a reset: the client sees the stream break
	}
	c.conn.Close()
	return 0, errCut
}

func (c *cutConn) Flush() error {
	if c.cut {
		return errCut
	}
	return c.w.Flush()
}
