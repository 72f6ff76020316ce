package docker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
)

// JSONStream reads a stream of JSON values: the progress of ImageCreate,
// ImagePush, ImageBuild, ImageLoad, PluginPull and PluginUpgrade, the events
// of SystemEvents, the samples of ContainerStats. It is read with Next and
// Value, or ranged over with All; Close ends it early.
//
// A message that carries an error (`error` / `errorDetail`, which the
// daemon sends inside a 200 response when a pull or build fails) ends the
// stream with a *StreamError.
type JSONStream[T any] struct {
	dec    *json.Decoder
	body   io.Closer
	op     string
	cur    T
	err    error
	done   bool
	Header http.Header
}

// NewJSONStream wraps a response whose body is a JSON stream.
func NewJSONStream[T any](resp *http.Response, op string) *JSONStream[T] {
	return &JSONStream[T]{dec: json.NewDecoder(resp.Body), body: resp.Body, op: op, Header: resp.Header}
}

// StreamError is an error the daemon reported inside a stream whose HTTP
// status was already 200.
type StreamError struct {
	Op      string
	Code    int
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
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		s.done = true
		if err != io.EOF {
			s.err = fmt.Errorf("docker: %s: reading stream: %w", s.op, err)
		}
		return false
	}
	if bytes.Contains(raw, errorKey) {
		if err := messageError(raw, s.op); err != nil {
			s.done, s.err = true, err
			return false
		}
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		s.done = true
		s.err = fmt.Errorf("docker: %s: decoding stream message: %w", s.op, err)
		return false
	}
	s.cur = v
	return true
}

func messageError(raw []byte, op string) error {
	var m struct {
		Error       string `json:"error"`
		ErrorDetail *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"errorDetail"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
		return &StreamError{Op: op, Code: m.ErrorDetail.Code, Message: m.ErrorDetail.Message}
	}
	if m.Error != "" {
		return &StreamError{Op: op, Message: m.Error}
	}
	return nil
}

// Value returns the value Next read.
func (s *JSONStream[T]) Value() T { return s.cur }

// Err returns the error that ended the stream, or nil at a clean end.
func (s *JSONStream[T]) Err() error { return s.err }

// Close ends the stream and frees its connection.
func (s *JSONStream[T]) Close() error {
	s.done = true
	return s.body.Close()
}

// All ranges over the values; an error is yielded last, once. Breaking out
// of the loop closes the stream.
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

// Wait reads the stream to its end and returns its error, for callers that
// only need to know whether a pull, push, load or build succeeded.
func (s *JSONStream[T]) Wait() error {
	defer s.Close()
	for s.Next() {
	}
	return s.err
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
