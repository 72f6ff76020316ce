package buildkit

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
)

// The messages below are built with the writer, which follows the
// protobuf encoding (key = field<<3 | wire type, varint lengths); the
// field numbers are those of BuildKit's control.proto.

func timestampMsg(t time.Time) []byte {
	var w writer
	w.int(1, t.Unix())
	w.int(2, int64(t.Nanosecond()))
	return w.b
}

func TestDecodeStatus(t *testing.T) {
	started := time.Date(2026, 12, 2, 3, 4, 5, 600, time.UTC)
	completed := started.Add(1500 * time.Millisecond)

	var v writer
	v.string(1, "sha256:aaa")
	v.string(2, "sha256:in1")
	v.string(2, "sha256:in2")
	v.string(3, "[2/3] RUN make")
	v.int(4, 1)
	v.bytes(5, timestampMsg(started))
	v.bytes(6, timestampMsg(completed))
	v.string(7, "exit code: 2")
	v.bytes(8, []byte{0x0a, 0x01, 'g'}) // a progress group, skipped
	v.key(9, wireFixed64)               // a field of a later BuildKit, skipped
	v.b = append(v.b, 1, 2, 3, 4, 5, 6, 7, 8)
	v.key(10, wireFixed32)
	v.b = append(v.b, 1, 2, 3, 4)

	var s writer
	s.string(1, "layer-1")
	s.string(2, "sha256:aaa")
	s.string(3, "downloading")
	s.int(4, 512)
	s.int(5, 1024)
	s.bytes(6, timestampMsg(completed))

	var l writer
	l.string(1, "sha256:aaa")
	l.bytes(2, timestampMsg(started))
	l.int(3, 2)
	l.bytes(4, []byte("oops\n"))

	var wn writer
	wn.string(1, "sha256:aaa")
	wn.int(2, 1)
	wn.bytes(3, []byte("FromAsCasing"))
	wn.bytes(4, []byte("line one"))
	wn.bytes(4, []byte("line two"))
	wn.string(5, "https://docs.docker.com/go/dockerfile/rule/from-as-casing/")

	var st writer
	st.bytes(1, v.b)
	st.bytes(2, s.b)
	st.bytes(3, l.b)
	st.bytes(4, wn.b)

	got, err := decodeStatus(st.b)
	if err != nil {
		t.Fatal(err)
	}
	want := &Status{
		Vertexes: []Vertex{{Digest: "sha256:aaa", Inputs: []string{"sha256:in1", "sha256:in2"}, Name: "[2/3] RUN make",
			Cached: true, Started: started, Completed: completed, Error: "exit code: 2"}},
		Statuses: []VertexStatus{{ID: "layer-1", Vertex: "sha256:aaa", Name: "downloading", Current: 512, Total: 1024, Timestamp: completed}},
		Logs:     []VertexLog{{Vertex: "sha256:aaa", Stream: 2, Data: []byte("oops\n"), Timestamp: started}},
		Warnings: []Warning{{Vertex: "sha256:aaa", Level: 1, Short: "FromAsCasing", Detail: []string{"line one", "line two"},
			URL: "https://docs.docker.com/go/dockerfile/rule/from-as-casing/"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, want)
	}

	// The same, as the daemon sends it: a JSON string of base64.
	aux := `"` + base64.StdEncoding.EncodeToString(st.b) + `"`
	got, err = decodeTrace([]byte(aux))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("decodeTrace: %v, %+v", err, got)
	}
}

// A field whose wire type is not the one expected is skipped, as protobuf
// parsers do, rather than misread.
func TestDecodeStatusSkipsMistypedFields(t *testing.T) {
	var v writer
	v.int(1, 7)         // digest as a varint
	v.string(4, "true") // cached as bytes
	v.string(3, "name")
	var st writer
	st.bytes(1, v.b)
	got, err := decodeStatus(st.b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Vertex{{Name: "name"}}; !reflect.DeepEqual(got.Vertexes, want) {
		t.Errorf("got %+v, want %+v", got.Vertexes, want)
	}
}

func TestDecodeStatusRejectsMalformed(t *testing.T) {
	var v writer
	v.string(3, "a name long enough to cut")
	var st writer
	st.bytes(1, v.b)
	huge := binary.AppendUvarint([]byte{0x0a}, 1<<40)
	for name, b := range map[string][]byte{
		"cut in a nested message": st.b[:len(st.b)-3],
		"length past the end":     huge,
		"cut in a varint":         {0x08, 0x80},
		"group wire type":         {0x0b},
		"field number 0":          {0x02, 0x00},
		"nested message cut":      append([]byte{0x0a, 0x03}, 0x1a, 0x05, 'a'),
	} {
		if _, err := decodeStatus(b); err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
	}
	if _, err := decodeTrace([]byte(`{"not":"a string"}`)); err == nil || !strings.Contains(err.Error(), "base64 string") {
		t.Errorf("an object as trace: %v", err)
	}
	if _, err := decodeTrace([]byte(`"not base64!"`)); err == nil {
		t.Error("bad base64 decoded")
	}
}

func FuzzDecodeStatus(f *testing.F) {
	var v writer
	v.string(1, "sha256:aaa")
	v.bytes(5, timestampMsg(time.Unix(1, 2)))
	var st writer
	st.bytes(1, v.b)
	st.bytes(3, []byte{0x0a, 0x01, 'x', 0x22, 0x02, 'h', 'i'})
	f.Add(st.b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeStatus(b)
		if err == nil && s == nil {
			t.Fatal("nil status without an error")
		}
		if err != nil && !errors.Is(err, errTruncated) && !strings.Contains(err.Error(), "protobuf") {
			t.Fatalf("unexpected error text: %v", err)
		}
	})
}

func TestStepKeepsLastLines(t *testing.T) {
	var s steps
	st := &Status{Vertexes: []Vertex{{Digest: "d", Name: "[1/1] RUN x", Error: "exit code: 4"}}}
	s.track(st)
	for i := 0; i < 30; i++ {
		s.track(&Status{Logs: []VertexLog{{Vertex: "d", Data: []byte("line " + string(rune('a'+i%26)) + "\r\nhalf")}}})
		s.track(&Status{Logs: []VertexLog{{Vertex: "d", Data: []byte("-done\n")}}})
	}
	s.track(&Status{Logs: []VertexLog{{Vertex: "d", Data: []byte(strings.Repeat("x", 5000))}}})
	e := s.buildError(&docker.StreamError{Op: "ImageBuild", Message: `process "/bin/sh -c x" did not complete successfully: exit code: 4`})
	if e.Step != "[1/1] RUN x" || e.ExitCode != 4 {
		t.Errorf("Step %q, ExitCode %d", e.Step, e.ExitCode)
	}
	if len(e.Logs) != keepLines+1 {
		t.Fatalf("%d lines kept, want %d and the unfinished one", len(e.Logs), keepLines)
	}
	if e.Logs[0] != "line u" || e.Logs[keepLines-1] != "half-done" {
		t.Errorf("lines %q", e.Logs)
	}
	if last := e.Logs[keepLines]; len(last) != maxLineLen {
		t.Errorf("the unfinished line is %d bytes, want it cut at %d", len(last), maxLineLen)
	}
	if !strings.Contains(e.Error(), `step "[1/1] RUN x" failed: `) || !strings.Contains(e.Error(), "\n  half-done") {
		t.Errorf("Error() = %q", e.Error())
	}
}
