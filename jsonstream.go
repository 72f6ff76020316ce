package docker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"sync/atomic"

	"github.com/dockerclient/docker/internal/jsonwire"
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
type JSONStream[T any] struct {
	dec    *jsonwire.Decoder
	in     *readLimit // bounds one message
	body   io.Closer
	op     string
	raw    json.RawMessage // the current message, reused from one to the next
	cur    T
	err    error
	done   bool
	n      int // values read
	closed atomic.Bool
	req    *http.Request // whose credentials an in-band error must not show
	Header http.Header
}

// open reads resp's body as a JSON stream; op names the operation in
// errors.
func (s *JSONStream[T]) open(resp *http.Response, op string) {
	s.in = &readLimit{r: resp.Body, err: errMessageTooLarge}
	s.dec = jsonwire.NewDecoder(s.in)
	s.body, s.op, s.Header, s.req = resp.Body, op, resp.Header, resp.Request
}

// MaxStreamMessage bounds one message of a JSON stream. The daemon's are a
// few kilobytes at most; a longer one ends the stream with an error rather
// than growing memory without bound.
const MaxStreamMessage = 32 << 20

// StreamError is an error the daemon reported inside a stream whose HTTP
// status was already 200: a failed pull, push, load or build in a progress
// stream (its `errorDetail`), or an in-band error frame of container output.
// Message is cleaned as Error.Message is.
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
// an error; Err says which. A stream that ends, cleanly or not, has freed
// its connection: Close is still good practice, but nothing leaks without
// it.
func (s *JSONStream[T]) Next() bool {
	if s.done {
		return false
	}
	var zero T
	s.cur = zero
	s.in.left = MaxStreamMessage + readAhead
	err := s.dec.Decode(&s.raw)
	if err == nil {
		err = jsonwire.Unmarshal(s.raw, &s.cur)
		var typeErr *json.UnmarshalTypeError
		if err == nil || errors.As(err, &typeErr) {
			// A message that holds `"error` is decoded a second time, for
			// the error it carries.
			if bytes.Contains(s.raw, errorKey) {
				if e := messageError(s.raw, s.op, s.req); e != nil {
					err = e
				}
			}
		}
	}
	if err != nil {
		s.cur, s.done, s.err = zero, true, s.streamErr(err)
		s.body.Close() // the stream is over: free its connection now
		return false
	}
	s.n++
	if cap(s.raw) > 1<<20 {
		s.raw = nil // one huge message does not pin its buffer for the stream's life
	}
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
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
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
func messageError(raw []byte, op string, req *http.Request) error {
	var m map[string]json.RawMessage
	if jsonwire.Unmarshal(raw, &m) != nil {
		return nil
	}
	msg, hasMsg := m["error"]
	det, hasDet := m["errorDetail"]
	if !hasMsg && !hasDet {
		return nil
	}
	var text string
	_ = jsonwire.Unmarshal(msg, &text)
	var d struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	e := &StreamError{Op: op}
	if hasDet && jsonwire.Unmarshal(det, &d) == nil {
		e.Code = d.Code
		if d.Message != "" {
			text = d.Message
		}
	}
	if text == "" {
		if !hasDet || string(det) == "null" {
			return nil
		}
		text = "unspecified error"
	}
	e.Message = cleanMessage(text, requestSecrets(req))
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

// readAhead is room for the block the decoder may already have read past
// the previous message: the bound on one message is on the bytes read while
// it is decoded.
const readAhead = 64 << 10

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
