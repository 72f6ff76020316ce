package dockertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dockerclient/docker/internal/apispec"
)

// Answer is a scripted answer to one operation. Its zero value answers
// with the spec's success status and a spec-shaped body, as an unscripted
// operation does; each field set replaces a part of that.
type Answer struct {
	// Status is the HTTP status; 0 is the operation's success status.
	// It must be one the spec declares for the operation.
	Status int
	// Header is added to the daemon's headers.
	Header http.Header
	// Body is sent as JSON, and must fit the spec's schema for the status.
	Body any
	// Raw is sent as is instead of Body (a tar, plain text, or JSON that
	// Body cannot express); when the status's schema is JSON, Raw must be
	// JSON that fits it.
	Raw []byte
	// Frames make a stream: the stdout and stderr frames of logs, attach
	// and exec, or the JSON messages of pull, push, build, load, events
	// and stats. A hijacked operation (attach, exec) sends its frames
	// after switching protocols, then closes the connection.
	Frames []Frame
}

// Frame is one piece of a streamed answer.
type Frame struct {
	// Stream is 1 for stdout, 2 for stderr (multiplexed output), or 0 for
	// bytes sent as they are (the output of a container with a TTY).
	Stream byte
	Data   []byte
	// Value is one message of a JSON stream (events, progress, stats);
	// it must fit the spec's schema of the stream's messages.
	Value any
	// Delay is how long to wait before sending the frame.
	Delay time.Duration
}

// Stdout is a frame of container output on stdout.
func Stdout(s string) Frame { return Frame{Stream: 1, Data: []byte(s)} }

// Stderr is a frame of container output on stderr.
func Stderr(s string) Frame { return Frame{Stream: 2, Data: []byte(s)} }

// Message is one JSON message of a stream: an event, a progress line, a
// stats sample.
func Message(v any) Frame { return Frame{Value: v} }

// ProgressError is the in-band error of a pull, push, build or load: the
// daemon has already answered 200 when the error happens, so it sends it
// as the stream's last message.
func ProgressError(msg string) Frame {
	return Frame{Value: map[string]any{"errorDetail": map[string]any{"message": msg}, "error": msg}}
}

// Error is an answer with an error status and the daemon's error body.
func Error(status int, msg string) Answer {
	return Answer{Status: status, Body: map[string]string{"message": msg}}
}

// script is what a test set for one operation: answers served in order
// (the last one repeats), or a handler.
type script struct {
	answers []Answer
	handler func(Call) Answer
	next    int
}

// Answer scripts the answers of an operation (by operationId): the first
// call gets the first answer, the next the second, and the last answer
// repeats. Each answer is checked against the spec now; one that does not
// fit fails the test. Answer with no answers removes the script.
func (s *Server) Answer(op string, answers ...Answer) {
	rt := s.route(op)
	if rt == nil {
		s.fail("Answer", []string{s.unknownOp(op)})
		return
	}
	answers = slices.Clone(answers) // the caller may reuse its slice
	for i := range answers {
		s.fail(op, prefix(fmt.Sprintf("scripted answer %d: ", i+1), s.checkAnswer(rt, &answers[i])))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(answers) == 0 {
		delete(s.scripts, op)
		return
	}
	s.scripts[op] = &script{answers: answers}
}

// Handle answers an operation with what h returns for each call; the
// answer is checked against the spec before it is sent. h runs on the
// server's goroutines, and Close waits for it: an h that never returns
// (waiting on a channel the test never closes) blocks Close, and so the
// end of the test.
func (s *Server) Handle(op string, h func(Call) Answer) {
	if s.route(op) == nil {
		s.fail("Handle", []string{s.unknownOp(op)})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[op] = &script{handler: h}
}

// answerFor returns the scripted answer for a call, or nil.
func (s *Server) answerFor(rt *route, c Call) *Answer {
	s.mu.Lock()
	sc := s.scripts[rt.op.ID]
	var a Answer
	switch {
	case sc == nil:
		s.mu.Unlock()
		return nil
	case sc.handler != nil:
		h := sc.handler
		s.mu.Unlock()
		a = h(c)
		s.fail(rt.op.ID, prefix("handler's answer: ", s.checkAnswer(rt, &a)))
	default:
		a = sc.answers[min(sc.next, len(sc.answers)-1)]
		sc.next++
		s.mu.Unlock()
	}
	return &a
}

func prefix(p string, msgs []string) []string {
	for i := range msgs {
		msgs[i] = p + msgs[i]
	}
	return msgs
}

// checkAnswer returns what in a scripted answer the spec does not allow.
func (s *Server) checkAnswer(rt *route, a *Answer) []string {
	var fails []string
	code, resp := pickResponse(rt.op)
	if a.Status != 0 {
		code = a.Status
		resp = rt.op.Responses[strconv.Itoa(a.Status)]
		if resp == nil {
			resp = rt.op.Responses["default"]
		}
		if resp == nil && !(a.Status == http.StatusOK && len(declaredStatuses(rt)) == 0) {
			return append(fails, fmt.Sprintf("status %d is not one the spec declares (%s)", a.Status, strings.Join(declaredStatuses(rt), ", ")))
		}
	}
	stream := rt.stream != "" && code/100 == 2 || code == http.StatusSwitchingProtocols
	if len(a.Frames) > 0 && !stream {
		return append(fails, fmt.Sprintf("frames given, but %s answers %d without a stream", rt.op.ID, code))
	}
	if a.Body != nil && a.Raw != nil {
		fails = append(fails, "both Body and Raw are set")
	}
	var schema *apispec.Schema
	if resp != nil {
		schema = resp.Schema
	}
	isJSON := schema != nil && !s.isStringSchema(schema)
	for i, f := range a.Frames {
		at := fmt.Sprintf("frame %d", i+1)
		switch rt.stream {
		case "json":
			switch {
			case f.Value == nil && f.Data == nil:
				fails = append(fails, at+": a JSON stream's frame needs a Value")
			case f.Value != nil:
				// Some specs give a stream's messages no schema (or a
				// string): then any JSON value is one.
				item := schema
				if !isJSON {
					item = nil
				}
				fails = append(fails, s.checkValue(f.Value, item, at, true)...)
			}
		case "output", "hijack", "websocket":
			if f.Value != nil {
				fails = append(fails, at+": container output is bytes (Data), not a Value")
			}
			if f.Stream > 2 {
				fails = append(fails, fmt.Sprintf("%s: stream %d; want 1 (stdout), 2 (stderr) or 0 (raw, TTY)", at, f.Stream))
			}
		default:
			if f.Value != nil {
				fails = append(fails, at+": "+rt.op.ID+" streams bytes (Data), not a Value")
			}
		}
	}
	switch {
	case a.Body != nil && schema == nil && code != http.StatusNoContent:
		fails = append(fails, fmt.Sprintf("a body, but the spec declares none for status %d", code))
	case a.Body != nil && code == http.StatusNoContent:
		fails = append(fails, "a body with status 204 No Content")
	case a.Body != nil:
		fails = append(fails, s.checkValue(a.Body, schema, "body", isJSON)...)
	case a.Raw != nil && isJSON && !strings.Contains(a.Header.Get("Content-Type"), "text/"):
		dec := json.NewDecoder(bytes.NewReader(a.Raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			fails = append(fails, fmt.Sprintf("raw body is not JSON (%v), but the spec answers JSON", err))
		} else {
			fails = append(fails, s.checkValue(v, schema, "raw body", true)...)
		}
	}
	return fails
}

// checkValue checks a Go value, as the server would encode it, against a
// schema: types, required properties and enums (with the allowance of
// answerEnumExtra). Unknown properties are allowed: daemons send fields
// their spec does not list, and a client must tolerate them.
func (s *Server) checkValue(v any, schema *apispec.Schema, at string, isJSON bool) []string {
	if !isJSON {
		if _, ok := v.(string); ok {
			return nil
		}
		return []string{at + ": the spec answers bytes, not JSON: use Raw"}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []string{fmt.Sprintf("%s: cannot be encoded as JSON: %v", at, err)}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	dec.Decode(&x)
	val := validator{schemas: s.schemas, answer: true}
	val.check(x, schema, at, 0)
	return val.fails
}

// declaredStatuses lists the statuses an operation declares.
func declaredStatuses(rt *route) []string {
	var out []string
	for c := range rt.op.Responses {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
