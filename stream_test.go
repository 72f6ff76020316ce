package docker_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// A multiplexed stream with every frame shape: stdout, stderr, an empty
// frame, stdin (which the daemon sends as stdout), and a payload that looks
// like a frame header.
var muxStream = frames(
	frame(1, "out 1\n"),
	frame(2, "err 1\n"),
	frame(1, ""),
	frame(0, "in-as-out\n"),
	frame(2, "\x01\x00\x00\x00\x00\x00\x00\x05"),
	frame(1, "out 2\n"),
)

const (
	muxStdout = "out 1\nin-as-out\nout 2\n"
	muxStderr = "err 1\n\x01\x00\x00\x00\x00\x00\x00\x05"
)

func TestDemuxEverySplit(t *testing.T) {
	for name, r := range readers(muxStream) {
		var out, errb bytes.Buffer
		if err := docker.Demux(&out, &errb, r()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if out.String() != muxStdout || errb.String() != muxStderr {
			t.Fatalf("%s: stdout %q stderr %q", name, out.String(), errb.String())
		}
		// Output reads the same stream as multiplexed, however it is cut.
		o := docker.NewOutput(response(r(), ""))
		out.Reset()
		errb.Reset()
		if err := o.Demux(&out, &errb); err != nil || o.TTY {
			t.Fatalf("%s: Output.Demux: %v (TTY %v)", name, err, o.TTY)
		}
		if out.String() != muxStdout || errb.String() != muxStderr {
			t.Fatalf("%s: Output: stdout %q stderr %q", name, out.String(), errb.String())
		}
	}
}

// TestDemuxLargeFrames: frames larger than the read buffer, read one byte
// at a time and whole.
func TestDemuxLargeFrames(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10<<10) // 160 KiB
	data := frames(frame(1, big), frame(2, big[:70000]), frame(1, "end"))
	for name, r := range map[string]io.Reader{"whole": bytes.NewReader(data), "one byte": &oneByte{data: data}} {
		var out, errb bytes.Buffer
		if err := docker.Demux(&out, &errb, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if out.String() != big+"end" || errb.String() != big[:70000] {
			t.Fatalf("%s: got %d and %d bytes", name, out.Len(), errb.Len())
		}
	}
}

func TestDemuxNilWritersDiscard(t *testing.T) {
	if err := docker.Demux(nil, nil, bytes.NewReader(muxStream)); err != nil {
		t.Fatal(err)
	}
}

// TestDemuxInBandError: a frame of stream 3 is an error the daemon reports
// after the 200; it becomes a *StreamError, after the output before it.
func TestDemuxInBandError(t *testing.T) {
	data := frames(frame(1, "partial\n"), frame(3, "exec failed: no such file"), frame(1, "never"))
	for name, r := range readers(data) {
		var out bytes.Buffer
		err := docker.Demux(&out, nil, r())
		var se *docker.StreamError
		if !errors.As(err, &se) || se.Message != "exec failed: no such file" {
			t.Fatalf("%s: err = %v, want a StreamError", name, err)
		}
		if out.String() != "partial\n" {
			t.Fatalf("%s: stdout %q", name, out.String())
		}
	}
}

func TestDemuxTruncated(t *testing.T) {
	full := frames(frame(1, "hello"), frame(2, "world"))
	for cut := 1; cut < len(full); cut++ {
		if cut == 13 { // a whole first frame: a clean end
			continue
		}
		var out bytes.Buffer
		err := docker.Demux(&out, nil, bytes.NewReader(full[:cut]))
		var fe *docker.FrameError
		if !errors.As(err, &fe) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: err = %v, want a FrameError matching io.ErrUnexpectedEOF", cut, err)
		}
		if want := "hello"[:max(0, min(5, cut-8))]; out.String() != want {
			t.Fatalf("cut at %d: stdout %q, want %q", cut, out.String(), want)
		}
	}
	if err := docker.Demux(nil, nil, bytes.NewReader(full[:13])); err != nil {
		t.Fatalf("a stream ending between frames: %v", err)
	}
	// Truncated inside an in-band error.
	err := docker.Demux(nil, nil, bytes.NewReader(frame(3, "boom")[:10]))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated error frame: %v", err)
	}
}

// TestDemuxRejectsTTYStream: raw bytes are not frames, and Demux says so
// instead of writing garbage.
func TestDemuxRejectsTTYStream(t *testing.T) {
	var out bytes.Buffer
	err := docker.Demux(&out, nil, strings.NewReader("total 0\r\ndrwxr-xr-x 2 root root\r\n"))
	var fe *docker.FrameError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "TTY") || out.Len() != 0 {
		t.Fatalf("err = %v, out %q", err, out.String())
	}
}

func TestDemuxWriterError(t *testing.T) {
	boom := errors.New("disk full")
	if err := docker.Demux(errWriter{boom}, nil, bytes.NewReader(muxStream)); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

// TestDemuxAllocations: payloads go from the read buffer to the writers
// with no allocation per frame.
func TestDemuxAllocations(t *testing.T) {
	var data []byte
	for i := 0; i < 1000; i++ {
		data = append(data, frame(byte(1+i%2), "a line of output of some length\n")...)
	}
	src := bytes.NewReader(data)
	br := bufio.NewReaderSize(src, 32<<10)
	allocs := testing.AllocsPerRun(20, func() {
		src.Reset(data)
		br.Reset(src)
		if err := docker.Demux(io.Discard, io.Discard, br); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Fatalf("Demux of 1000 frames: %v allocations", allocs)
	}
}

func BenchmarkDemux(b *testing.B) {
	var data []byte
	for i := 0; i < 1000; i++ {
		data = append(data, frame(byte(1+i%2), strings.Repeat("x", 200)+"\n")...)
	}
	src := bytes.NewReader(data)
	br := bufio.NewReaderSize(src, 32<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		src.Reset(data)
		br.Reset(src)
		if err := docker.Demux(io.Discard, io.Discard, br); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOutputTTY: raw streams go to stdout whole, never through the frame
// parser, however they start: the kind comes from the daemon's content type
// (API 1.42+) or from whoever knows (the SDK's inspect, the caller), never
// from the bytes.
func TestOutputTTY(t *testing.T) {
	for _, tc := range []struct {
		name, body, contentType string
	}{
		{"text", "hello\r\n\x01\x00\x00\x00 binary after the start\r\n", ""},
		{"starts like a frame header", "\x01\x00\x00\x00hello", ""},
		{"escape sequence", "\x1b[1;32mgreen\x1b[0m\r\n", ""},
		{"short", "$ ", ""},
		{"raw content type of API 1.42+", "\x01\x00\x00\x00\x00\x00\x00\x01x", "application/vnd.docker.raw-stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := response(strings.NewReader(tc.body), tc.contentType)
			if tc.contentType != "" {
				resp.Request.URL.Path = "/v1.44/containers/x/logs"
			}
			for name, r := range readers([]byte(tc.body)) {
				resp.Body = io.NopCloser(r())
				o := docker.NewOutput(resp)
				o.TTY = o.TTY || tc.contentType == "" // what the inspect (or the caller) said
				var out, errb bytes.Buffer
				if err := o.Demux(&out, &errb); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !o.TTY || out.String() != tc.body || errb.Len() != 0 {
					t.Fatalf("%s: TTY %v, stdout %q, stderr %q", name, o.TTY, out.String(), errb.String())
				}
			}
		})
	}
}

// TestOutputContentTypes: dockerd before API 1.42 (20.10 included, and
// newer daemons answering an older API version) labels multiplexed streams
// application/vnd.docker.raw-stream; only 1.42+ responses can be trusted.
func TestOutputContentTypes(t *testing.T) {
	for _, tc := range []struct {
		path, contentType string
		body              []byte
		tty               bool
	}{
		{"/v1.41/containers/x/logs", "application/vnd.docker.raw-stream", muxStream, false},
		{"/containers/x/logs", "application/vnd.docker.raw-stream", muxStream, false},
		{"/v1.42/containers/x/logs", "application/vnd.docker.raw-stream", []byte("tty text"), true},
		{"/v1.42/containers/x/logs", "application/vnd.docker.multiplexed-stream", muxStream, false},
		{"/v1.41/containers/x/logs", "", muxStream, false},
	} {
		resp := response(bytes.NewReader(tc.body), tc.contentType)
		resp.Request.URL.Path = tc.path
		o := docker.NewOutput(resp)
		var out, errb bytes.Buffer
		if err := o.Demux(&out, &errb); err != nil {
			t.Fatalf("%s %s: %v", tc.path, tc.contentType, err)
		}
		if o.TTY != tc.tty {
			t.Fatalf("%s %s: TTY = %v, want %v", tc.path, tc.contentType, o.TTY, tc.tty)
		}
		if !tc.tty && (out.String() != muxStdout || errb.String() != muxStderr) {
			t.Fatalf("%s %s: stdout %q stderr %q", tc.path, tc.contentType, out.String(), errb.String())
		}
	}
}

// TestOutputTTYSetByCaller: a caller who knows the stream is raw sets TTY.
func TestOutputTTYSetByCaller(t *testing.T) {
	body := string(frame(1, "looks like a frame"))
	o := docker.NewOutput(response(strings.NewReader(body), ""))
	o.TTY = true
	var out bytes.Buffer
	if err := o.Demux(&out, nil); err != nil || out.String() != body {
		t.Fatalf("err %v, out %q", err, out.String())
	}
}

// TestOutputTTYDoesNotWait: a TTY that prints a two-byte prompt and waits
// for input must have the prompt delivered, not held back until more bytes
// come.
func TestOutputTTYDoesNotWait(t *testing.T) {
	pr, pw := io.Pipe()
	o := docker.NewOutput(response(pr, ""))
	o.TTY = true
	w := &lineWriter{want: "$ ", count: make(chan int, 1)}
	done := make(chan error, 1)
	go func() { done <- o.Demux(w, nil) }()
	go pw.Write([]byte("$ "))
	select {
	case <-w.count:
	case <-time.After(5 * time.Second):
		t.Fatal("the prompt did not come through before more output")
	}
	pw.Write([]byte("ls\r\n"))
	pw.Close()
	if err := <-done; err != nil || w.String() != "$ ls\r\n" {
		t.Fatalf("err %v, out %q", err, w.String())
	}
}

// TestLogsOverHTTP: ContainerLogs through a server that flushes every byte
// of every kind of stream separately.
func TestLogsOverHTTP(t *testing.T) {
	streams := map[string]struct {
		body        []byte
		contentType string
		stdout      string
		stderr      string
	}{
		"multiplexed": {muxStream, "", muxStdout, muxStderr},
		"raw":         {[]byte("\x01\x00\x00\x00 tty \x1b[0m output\r\n"), "", "\x01\x00\x00\x00 tty \x1b[0m output\r\n", ""},
		"mislabelled": {muxStream, "application/vnd.docker.raw-stream", muxStdout, muxStderr},
	}
	_, cli := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answerInspect(w, r) {
			return
		}
		s := streams[r.URL.Query().Get("tail")]
		if s.contentType != "" {
			w.Header().Set("Content-Type", s.contentType)
		}
		writeSlowly(w, s.body)
	}))
	for name, s := range streams {
		o, err := cli.ContainerLogs(context.Background(), "c-"+name, v141.ContainerLogsOptions{Stdout: true, Stderr: true, Tail: name})
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		err = o.Demux(&out, &errb)
		o.Close()
		if err != nil || out.String() != s.stdout || errb.String() != s.stderr {
			t.Fatalf("%s: err %v, stdout %q, stderr %q", name, err, out.String(), errb.String())
		}
	}
}

// TestLogsCancel: cancelling a followed log stream ends Demux with the
// context's error and leaves no goroutine.
func TestLogsCancel(t *testing.T) {
	c, cli := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answerInspect(w, r) {
			return
		}
		w.Write(frame(1, "first\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	before := goroutines()
	ctx, cancel := context.WithCancel(context.Background())
	o, err := cli.ContainerLogs(ctx, "c", v141.ContainerLogsOptions{Follow: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	w := &lineWriter{want: "first", count: make(chan int, 1)}
	done := make(chan error, 1)
	go func() { done <- o.Demux(w, nil) }()
	<-w.count
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Demux after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Demux did not end after cancel")
	}
	o.Close()
	checkGoroutines(t, c, before)
}

// answerInspect answers a container's inspect, which the SDK makes before
// ContainerLogs and ContainerAttach below API 1.42, as a daemon would: a
// container whose name holds "raw" or starts with "tty" has a TTY.
func answerInspect(w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutSuffix(r.URL.Path, "/json")
	if r.Method != http.MethodGet || !ok || !strings.Contains(rest, "/containers/") {
		return false
	}
	id := rest[strings.LastIndex(rest, "/")+1:]
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"Id":%q,"Config":{"Tty":%t}}`, id, strings.Contains(id, "raw") || strings.HasPrefix(id, "tty"))
	return true
}
