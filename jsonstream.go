package docker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"sync/atomic"

	"github.com/dockerclient/docker/internal/jsoncodec"
)

// JSONStream reads a stream of JSON values: the progress of ImageCreate,
// ImagePush, ImageBuild, ImageLoad, PluginPull and PluginUpgrade, the events
// of SystemEvents, the samples of ContainerStats. It is read with Next and
// Value, or ranged over with All, or drained with Wait; Close ends it early.
//
// A message that carries an error (`error` / `errorDetail`, which the
// daemon sends inside a 200 response when a pull, push or build fails) ends
// the stream with a *StreamError. A stream that stops in the middle of a
// message ends with an error that matches io.ErrUnexpectedEOF. Cancelling
// the context of the call that opened the stream ends it with an error that
// matches the context's error (context.Canceled, say), and frees its
// connection.
//
// Each value is decoded once, straight into T.
type JSONStream[T any] struct {
	in     streamInput
	body   io.Closer
	op     string
	cur    T
	err    error
	done   bool
	n      int // values read
	closed atomic.Bool
	Header http.Header
}

// NewJSONStream wraps a response whose body is a JSON stream; op names the
// operation in errors.
func NewJSONStream[T any](resp *http.Response, op string) *JSONStream[T] {
	return &JSONStream[T]{in: streamInput{r: resp.Body}, body: resp.Body, op: op, Header: resp.Header}
}

// MaxStreamMessage bounds one message of a JSON stream. The daemon's are a
// few kilobytes at most; a longer one ends the stream with an error rather
// than growing memory without bound.
const MaxStreamMessage = 32 << 20

// StreamError is an error the daemon reported inside a stream whose HTTP
// status was already 200: a failed pull, push, load or build in a progress
// stream (its `errorDetail`), or an in-band error frame of container output.
type StreamError struct {
	Op      string // operationId, when known
	Code    int    // errorDetail.code, when the daemon sent one (a failed RUN's exit code, say)
	Message string
}

func (e *StreamError) Error() string {
	if e.Op == "" {
		return "docker: " + e.Message
	}
	return "docker: " + e.Op + ": " + e.Message
}

var errorKey = []byte(`"error`)

// Next reads the next value. It returns false at the end of the stream or on
// an error; Err says which.
func (s *JSONStream[T]) Next() bool {
	if s.done {
		return false
	}
	var zero T
	s.cur = zero
	msg, err := s.in.next()
	if err == nil {
		err = jsoncodec.Unmarshal(msg, &s.cur)
		var typeErr *jsoncodec.TypeError
		if err == nil || errors.As(err, &typeErr) {
			// A message that holds `"error` is decoded a second time, for
			// the error it carries.
			if bytes.Contains(msg, errorKey) {
				if e := messageError(msg, s.op); e != nil {
					err = e
				}
			}
		}
	}
	if err != nil {
		var zero T
		s.cur, s.done, s.err = zero, true, s.streamErr(err)
		return false
	}
	s.n++
	return true
}

// streamErr explains why reading stopped.
func (s *JSONStream[T]) streamErr(err error) error {
	var se *StreamError
	switch {
	case errors.As(err, &se):
		return err
	case s.closed.Load():
		return nil // the caller closed it
	case err == io.EOF:
		return nil
	case errors.Is(err, errMessageTooLarge):
		return fmt.Errorf("docker: %s: stream message %d is longer than %d bytes", s.op, s.n+1, MaxStreamMessage)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("docker: %s: the stream was cut off in the middle of message %d: %w", s.op, s.n+1, io.ErrUnexpectedEOF)
	}
	var syn *jsoncodec.SyntaxError
	var typ *jsoncodec.TypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("docker: %s: stream message %d is not JSON: %w", s.op, s.n+1, err)
	case errors.As(err, &typ):
		return fmt.Errorf("docker: %s: decoding stream message %d: %w", s.op, s.n+1, err)
	}
	return fmt.Errorf("docker: %s: reading stream: %w", s.op, err)
}

// messageError returns the error a progress message carries in its
// "error" and "errorDetail" keys (exactly those: encoding/json would also
// take "Error"), or nil.
func messageError(raw []byte, op string) error {
	var m map[string]json.RawMessage
	if jsoncodec.Unmarshal(raw, &m) != nil {
		return nil
	}
	msg, hasMsg := m["error"]
	det, hasDet := m["errorDetail"]
	if !hasMsg && !hasDet {
		return nil
	}
	e := &StreamError{Op: op}
	_ = jsoncodec.Unmarshal(msg, &e.Message)
	var d struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if hasDet && jsoncodec.Unmarshal(det, &d) == nil {
		e.Code = d.Code
		if d.Message != "" {
			e.Message = d.Message
		}
	}
	if e.Message == "" {
		if !hasDet || string(det) == "null" {
			return nil
		}
		e.Message = "unspecified error"
	}
	return e
}

// Value returns the value Next read.
func (s *JSONStream[T]) Value() T { return s.cur }

// Err returns the error that ended the stream, or nil at a clean end or
// after Close.
func (s *JSONStream[T]) Err() error { return s.err }

// Close ends the stream and frees its connection. It may be called from
// another goroutine to end a Next that is waiting for data; that Next then
// returns false with a nil Err.
func (s *JSONStream[T]) Close() error {
	s.closed.Store(true)
	return s.body.Close()
}

// All ranges over the values; an error is yielded last, once. The stream is
// closed when the loop ends, by break too.
func (s *JSONStream[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		defer s.Close()
		for s.Next() {
			if !yield(s.cur, nil) {
				return
			}
		}
		if s.err != nil {
			var zero T
			yield(zero, s.err)
		}
	}
}

// Wait reads the stream to its end, closes it and returns its error, for
// callers that only need to know whether a pull, push, load or build
// succeeded.
func (s *JSONStream[T]) Wait() error {
	defer s.Close()
	for s.Next() {
	}
	return s.err
}

var errMessageTooLarge = errors.New("stream message too large")

// streamInput cuts a stream into its JSON values: it reads into one
// buffer, reused from message to message, and finds where each value ends.
type streamInput struct {
	r     io.Reader
	buf   []byte // buf[head:] is input not yet handed out
	head  int
	frame jsoncodec.Framer
	err   error // what the last read returned, io.EOF at the end
}

// next returns the next value's bytes, valid until the following call.
func (in *streamInput) next() ([]byte, error) {
	for {
		rest := in.buf[in.head:]
		if n := in.frame.End(rest); n >= 0 {
			in.head += n
			return rest[:n], nil
		}
		if in.err != nil {
			if in.err != io.EOF {
				return nil, in.err
			}
			if !in.frame.Pending() {
				return nil, io.EOF
			}
			if v := bytes.TrimLeft(rest, " \t\r\n"); v[0] == '{' || v[0] == '[' || v[0] == '"' || cutShort(v) {
				return nil, io.ErrUnexpectedEOF // cut off inside a value
			}
			// A number or literal, which only the end delimits, or bytes
			// that are not JSON at all: Unmarshal tells which.
			in.head = len(in.buf)
			in.frame = jsoncodec.Framer{}
			return rest, nil
		}
		if len(rest) > MaxStreamMessage {
			return nil, errMessageTooLarge
		}
		switch {
		case len(rest) == 0 && cap(in.buf) > maxPooledBuffer:
			in.buf, in.head = nil, 0 // one huge message does not pin its buffer for the stream's life
		case in.head > 0: // move the unread part to the front, keeping the framer's place
			in.buf = in.buf[:copy(in.buf, rest)]
			in.head = 0
		}
		if len(in.buf) == cap(in.buf) {
			in.buf = slices.Grow(in.buf, max(4096, cap(in.buf)))
		}
		n, err := in.r.Read(in.buf[len(in.buf):cap(in.buf)])
		in.buf = in.buf[:len(in.buf)+n]
		in.err = err
	}
}

// cutShort reports whether v, what a stream ended with, is the start of a
// literal or a number that the end cut off: "tru", "nul", "1.", "2e-".
func cutShort(v []byte) bool {
	for _, lit := range []string{"true", "false", "null"} {
		if len(v) < len(lit) && lit[:len(v)] == string(v) {
			return true
		}
	}
	if first := v[0]; first != '-' && (first < '0' || first > '9') {
		return false
	}
	last := v[len(v)-1]
	return last == '-' || last == '+' || last == '.' || last == 'e' || last == 'E'
}

// JSONMessage is one message of a progress stream (pull, push, load, build,
// plugin pull). Fields the daemon adds later are kept in nothing: decode the
// stream as JSONStream[json.RawMessage] to see everything.
type JSONMessage struct {
	Stream          string          `json:"stream,omitempty"`
	Status          string          `json:"status,omitempty"`
	Progress        *ProgressDetail `json:"progressDetail,omitempty"`
	ProgressMessage string          `json:"progress,omitempty"`
	ID              string          `json:"id,omitempty"`
	From            string          `json:"from,omitempty"`
	Time            int64           `json:"time,omitempty"`
	TimeNano        int64           `json:"timeNano,omitempty"`
	Error           *ErrorDetail    `json:"errorDetail,omitempty"`
	ErrorMessage    string          `json:"error,omitempty"`
	// Aux carries a result such as a pushed image's digest or a built
	// image's ID.
	Aux json.RawMessage `json:"aux,omitempty"`
}

// ProgressDetail counts bytes or layers done of a total.
type ProgressDetail struct {
	Current int64  `json:"current,omitempty"`
	Total   int64  `json:"total,omitempty"`
	Start   int64  `json:"start,omitempty"`
	Units   string `json:"units,omitempty"`
}

// ErrorDetail is the error of a progress message.
type ErrorDetail struct {
	Code    int    `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}
