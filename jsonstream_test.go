package docker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// A pull as dockerd streams it: \r\n-separated progress messages.
const pullStream = `{"status":"Pulling from library/busybox","id":"latest"}` + "\r\n" +
	`{"status":"Downloading","progressDetail":{"current":1024,"total":2048},"progress":"[====>     ]","id":"a3ed95caeb02"}` + "\r\n" +
	`{"status":"Download complete","progressDetail":{},"id":"a3ed95caeb02"}` + "\r\n" +
	`{"status":"Digest: sha256:abc"}` + "\r\n" +
	`{"aux":{"Tag":"latest","Digest":"sha256:abc","Size":527}}` + "\r\n"

func jsonStream[T any](r io.Reader) *docker.JSONStream[T] {
	return docker.NewJSONStream[T](response(r, "application/json"), "ImageCreate")
}

func collect[T any](s *docker.JSONStream[T]) ([]T, error) {
	var out []T
	for s.Next() {
		out = append(out, s.Value())
	}
	return out, s.Err()
}

func TestJSONStreamEverySplit(t *testing.T) {
	want, err := collect(jsonStream[docker.JSONMessage](strings.NewReader(pullStream)))
	if err != nil || len(want) != 5 {
		t.Fatalf("%d messages, %v", len(want), err)
	}
	if want[1].Progress == nil || want[1].Progress.Total != 2048 || want[1].ID != "a3ed95caeb02" {
		t.Fatalf("message 2: %+v", want[1])
	}
	if !strings.Contains(string(want[4].Aux), `"Digest":"sha256:abc"`) {
		t.Fatalf("aux: %s", want[4].Aux)
	}
	for name, r := range readers([]byte(pullStream)) {
		got, err := collect(jsonStream[docker.JSONMessage](r()))
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s: %d messages, %v", name, len(got), err)
		}
		for i := range got {
			a, _ := json.Marshal(got[i])
			b, _ := json.Marshal(want[i])
			if !bytes.Equal(a, b) {
				t.Fatalf("%s: message %d: %s, want %s", name, i, a, b)
			}
		}
	}
}

// TestJSONStreamErrorInside200: an error in a progress stream ends it with
// a *StreamError carrying the daemon's code and message, whatever the
// element type.
func TestJSONStreamErrorInside200(t *testing.T) {
	for _, tc := range []struct {
		msg     string
		code    int
		message string
	}{
		{`{"errorDetail":{"code":7,"message":"The command '/bin/sh -c exit 7' returned a non-zero code: 7"},"error":"The command '/bin/sh -c exit 7' returned a non-zero code: 7"}`, 7, "The command '/bin/sh -c exit 7' returned a non-zero code: 7"},
		{`{"error":"manifest unknown"}`, 0, "manifest unknown"},
		{`{"errorDetail":{"message":"denied"}}`, 0, "denied"},
		{`{"errorDetail":{"code":1},"error":"only in error"}`, 1, "only in error"},
	} {
		body := pullStream[:strings.Index(pullStream, "\r\n")+2] + tc.msg + "\r\n" + `{"status":"after the error"}` + "\r\n"
		check := func(name string, n int, err error) {
			t.Helper()
			var se *docker.StreamError
			if !errors.As(err, &se) || se.Code != tc.code || se.Message != tc.message || se.Op != "ImageCreate" {
				t.Fatalf("%s %s: err = %#v", name, tc.msg, err)
			}
			if n != 1 {
				t.Fatalf("%s: %d messages before the error, want 1", name, n)
			}
			if !strings.Contains(err.Error(), "ImageCreate") || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("%s: message %q", name, err)
			}
		}
		for name, r := range readers([]byte(body)) {
			got, err := collect(jsonStream[docker.JSONMessage](r()))
			check(name, len(got), err)
		}
		raw, err := collect(jsonStream[json.RawMessage](strings.NewReader(body)))
		check("RawMessage", len(raw), err)
		m, err := collect(jsonStream[map[string]any](strings.NewReader(body)))
		check("map", len(m), err)
		type event struct{ Action string }
		ev, err := collect(jsonStream[event](strings.NewReader(body)))
		check("struct without error fields", len(ev), err)
		err = jsonStream[docker.JSONMessage](strings.NewReader(body)).Wait()
		check("Wait", 1, err)
	}
}

// TestJSONStreamErrorWordsAreNotErrors: "error" in a value or a key that
// is not the error fields does not end the stream.
func TestJSONStreamErrorWordsAreNotErrors(t *testing.T) {
	body := `{"stream":"\"error handling\" step\n"}` + "\n" + `{"status":"x","errorCount":3}` + "\n" + `{"error":""}` + "\n" +
		`{"Error":"a field of T, \"errorish\""}` + "\n" + `{"errorDetail":null}` + "\n"
	got, err := collect(jsonStream[map[string]any](strings.NewReader(body)))
	if err != nil || len(got) != 5 {
		t.Fatalf("%d values, %v", len(got), err)
	}
}

func TestJSONStreamTruncated(t *testing.T) {
	for cut := 1; cut < len(pullStream); cut++ {
		body := pullStream[:cut]
		got, err := collect(jsonStream[docker.JSONMessage](strings.NewReader(body)))
		complete := strings.Count(body, "}\r\n")
		if trimmed := strings.TrimRight(body, "\r\n"); strings.HasSuffix(trimmed, "}") && strings.Count(trimmed, "{") == strings.Count(trimmed, "}") {
			// Cut right after a whole message.
			if err != nil || len(got) != strings.Count(trimmed, "\r\n")+1 {
				t.Fatalf("cut at %d (after a message): %d messages, %v", cut, len(got), err)
			}
			continue
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "cut off") {
			t.Fatalf("cut at %d: err = %v, want a truncation error", cut, err)
		}
		if len(got) != complete {
			t.Fatalf("cut at %d: %d messages before the error, want %d", cut, len(got), complete)
		}
	}
}

func TestJSONStreamMalformed(t *testing.T) {
	_, err := collect(jsonStream[docker.JSONMessage](strings.NewReader(`{"status":"ok"}` + "\n<html>502 Bad Gateway</html>")))
	if err == nil || !strings.Contains(err.Error(), "message 2 is not JSON") {
		t.Fatalf("err = %v", err)
	}
	_, err = collect(jsonStream[docker.JSONMessage](strings.NewReader(`{"status":42}`)))
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) {
		t.Fatalf("wrong type: %v", err)
	}
}

// TestJSONStreamOversized: one message may not grow memory without bound.
func TestJSONStreamOversized(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 32 MiB")
	}
	r := io.MultiReader(strings.NewReader(`{"status":"`), &repeatReader{b: 'a', n: docker.MaxStreamMessage + 1<<20})
	_, err := collect(jsonStream[docker.JSONMessage](r))
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err = %v", err)
	}
}

type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n)
	for i := range p[:n] {
		p[i] = r.b
	}
	r.n -= n
	return n, nil
}

func TestJSONStreamAll(t *testing.T) {
	closed := &closeCounter{Reader: strings.NewReader(pullStream)}
	s := docker.NewJSONStream[docker.JSONMessage](&http.Response{Body: closed, Header: http.Header{}}, "ImagePush")
	n := 0
	for m, err := range s.All() {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			if m.Status != "Downloading" {
				t.Fatalf("second: %+v", m)
			}
			break
		}
	}
	if closed.n.Load() != 1 {
		t.Fatalf("breaking out of All closed the body %d times", closed.n.Load())
	}

	body := pullStream + `{"error":"boom"}` + "\n"
	var errs []error
	n = 0
	for _, err := range jsonStream[docker.JSONMessage](strings.NewReader(body)).All() {
		if err != nil {
			errs = append(errs, err)
		} else {
			n++
		}
	}
	if n != 5 || len(errs) != 1 {
		t.Fatalf("%d values, errors %v", n, errs)
	}
}

type closeCounter struct {
	io.Reader
	n atomic.Int32
}

func (c *closeCounter) Close() error { c.n.Add(1); return nil }

// TestJSONStreamCloseFromAnotherGoroutine: Close ends a Next that waits for
// data; the stream then reports no error.
func TestJSONStreamCloseFromAnotherGoroutine(t *testing.T) {
	pr, pw := io.Pipe()
	s := docker.NewJSONStream[docker.JSONMessage](&http.Response{Body: pr, Header: http.Header{}}, "SystemEvents")
	go pw.Write([]byte(`{"status":"one"}` + "\n"))
	if !s.Next() || s.Value().Status != "one" {
		t.Fatal("first message")
	}
	done := make(chan bool)
	go func() { done <- s.Next() }()
	time.Sleep(20 * time.Millisecond)
	s.Close()
	select {
	case more := <-done:
		if more || s.Err() != nil {
			t.Fatalf("Next after Close: %v, Err %v", more, s.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end Next")
	}
}

// TestImageCreateOverHTTP: a pull through a server that flushes every byte
// separately, read typed, then one that fails inside the 200.
func TestImageCreateOverHTTP(t *testing.T) {
	_, cli := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("fromImage") == "missing" {
			writeSlowly(w, []byte(`{"status":"Pulling"}`+"\r\n"+`{"errorDetail":{"message":"manifest for missing:latest not found"},"error":"manifest for missing:latest not found"}`+"\r\n"))
			return
		}
		writeSlowly(w, []byte(pullStream))
	}))
	s, err := cli.ImageCreate(context.Background(), v141.ImageCreateOptions{FromImage: "busybox", Tag: "latest"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := collect(s)
	if err != nil || len(got) != 5 || got[1].Progress.Current != 1024 {
		t.Fatalf("%d messages, %v", len(got), err)
	}
	s, err = cli.ImageCreate(context.Background(), v141.ImageCreateOptions{FromImage: "missing"})
	if err != nil {
		t.Fatal(err)
	}
	var se *docker.StreamError
	if err := s.Wait(); !errors.As(err, &se) || !strings.Contains(se.Message, "not found") {
		t.Fatalf("Wait: %v", err)
	}
}

// TestStatsStreamCancel: cancelling a stats stream ends Next with the
// context's error and leaves no goroutine.
func TestStatsStreamCancel(t *testing.T) {
	c, cli := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for {
			io.WriteString(w, `{"read":"2024-01-01T00:00:00Z","memory_stats":{"usage":1}}`+"\n")
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}))
	before := goroutines()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := cli.ContainerStats(ctx, "c", v141.ContainerStatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if !s.Next() {
			t.Fatal(s.Err())
		}
	}
	cancel()
	for s.Next() {
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Fatalf("Err after cancel: %v", s.Err())
	}
	s.Close()
	checkGoroutines(t, c, before)
}

// The JSON stream decodes each message once, straight into T, and looks
// for an error with bytes.Contains on the bytes it kept. The benchmark
// below compares it with decoding each message to a json.RawMessage and
// then unmarshalling that (the SDK's earlier way).
func progressBody() []byte {
	var b bytes.Buffer
	for i := 0; i < 1000; i++ {
		b.WriteString(`{"status":"Downloading","progressDetail":{"current":123456,"total":2345678},"progress":"[=====>              ]  123.4kB/2.345MB","id":"a3ed95caeb02"}` + "\r\n")
	}
	return b.Bytes()
}

func BenchmarkJSONStream(b *testing.B) {
	body := progressBody()
	b.Run("SDK", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s := jsonStream[docker.JSONMessage](bytes.NewReader(body))
			n := 0
			for s.Next() {
				n++
			}
			if s.Err() != nil || n != 1000 {
				b.Fatal(n, s.Err())
			}
		}
	})
	b.Run("RawMessage+Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			dec := json.NewDecoder(bytes.NewReader(body))
			n := 0
			for {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					break
				}
				if bytes.Contains(raw, []byte(`"error`)) {
					b.Fatal("error")
				}
				var m docker.JSONMessage
				if err := json.Unmarshal(raw, &m); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != 1000 {
				b.Fatal(n)
			}
		}
	})
}

// TestJSONStreamEndsInJunk: bytes that are not JSON at the very end of a
// stream are reported as such, not as a message cut short.
func TestJSONStreamEndsInJunk(t *testing.T) {
	_, err := collect(jsonStream[docker.JSONMessage](strings.NewReader(`{"status":"ok"}` + "\n<html>")))
	if err == nil || !strings.Contains(err.Error(), "message 2 is not JSON") {
		t.Fatalf("err = %v", err)
	}
	for _, cut := range []string{"tru", "nul", "1.", "2e-", "-"} {
		_, err := collect(jsonStream[json.RawMessage](strings.NewReader(`{"a":1} ` + cut)))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("a stream ending in %q: %v, want io.ErrUnexpectedEOF", cut, err)
		}
	}
	got, err := collect(jsonStream[json.RawMessage](strings.NewReader(`{"a":1} 42`)))
	if err != nil || len(got) != 2 || string(got[1]) != "42" {
		t.Fatalf("a trailing number: %q, %v", got, err)
	}
}

// TestStreamResult: the result comes from the last aux message of its
// shape; BuildKit's traces (base64 strings) and other messages pass by.
func TestStreamResult(t *testing.T) {
	build := `{"stream":"Step 1/2 : FROM busybox\n"}
{"id":"moby.buildkit.trace","aux":"Cm4KR3NoYTI1Ng=="}
{"aux":{"ID":"sha256:aaa"}}
{"id":"moby.image.id","aux":{"ID":"sha256:bbb"}}
{"stream":"Successfully built bbb\n"}
`
	var seen int
	res, err := docker.StreamResult[docker.BuildResult](jsonStream[docker.JSONMessage](strings.NewReader(build)), func(docker.JSONMessage) { seen++ })
	if err != nil || res.ID != "sha256:bbb" || seen != 5 {
		t.Fatalf("build: %+v, %v, %d messages seen", res, err, seen)
	}
	push := `{"status":"Pushed","id":"abc"}
{"status":"latest: digest: sha256:ccc size: 528"}
{"progressDetail":{},"aux":{"Tag":"latest","Digest":"sha256:ccc","Size":528}}
`
	pr, err := docker.StreamResult[docker.PushResult](jsonStream[docker.JSONMessage](strings.NewReader(push)), nil)
	if err != nil || pr != (docker.PushResult{Tag: "latest", Digest: "sha256:ccc", Size: 528}) {
		t.Fatalf("push: %+v, %v", pr, err)
	}
	_, err = docker.StreamResult[docker.PushResult](jsonStream[docker.JSONMessage](strings.NewReader(`{"status":"Pushed"}`)), nil)
	var se *docker.StreamError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "without a result") {
		t.Fatalf("no result: %v", err)
	}
	failed := `{"aux":{"ID":"sha256:aaa"}}
{"errorDetail":{"message":"failed to push"},"error":"failed to push"}
`
	if _, err := docker.StreamResult[docker.BuildResult](jsonStream[docker.JSONMessage](strings.NewReader(failed)), nil); !errors.As(err, &se) || se.Message != "failed to push" {
		t.Fatalf("failed stream: %v", err)
	}
}
