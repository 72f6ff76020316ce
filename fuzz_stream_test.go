package docker_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
)

// FuzzDemux: any bytes, split anywhere, demultiplex without panicking;
// a stream that Demux accepts is a sequence of frames whose payloads are
// exactly what was written, and Output treats a TTY stream as raw.
//
//	go test -run '^$' -fuzz FuzzDemux .
func FuzzDemux(f *testing.F) {
	f.Add(muxStream, 3)
	f.Add(frames(frame(1, "a"), frame(3, "daemon error")), 9)
	f.Add(frame(2, "x")[:5], 1)
	f.Add([]byte("tty output\r\n"), 2)
	f.Add([]byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, 4)
	f.Add([]byte{}, 0)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		var out, errb bytes.Buffer
		err := docker.Demux(&out, &errb, splitAt(data, split))
		if out.Len()+errb.Len() > len(data) {
			t.Fatalf("wrote %d bytes from %d", out.Len()+errb.Len(), len(data))
		}
		if err == nil {
			// Re-parse by hand: the whole input is frames of streams 0-2.
			var wantOut, wantErr []byte
			for b := data; len(b) > 0; {
				size := int(binary.BigEndian.Uint32(b[4:8]))
				switch b[0] {
				case 0, 1:
					wantOut = append(wantOut, b[8:8+size]...)
				case 2:
					wantErr = append(wantErr, b[8:8+size]...)
				default:
					t.Fatalf("accepted stream %d", b[0])
				}
				b = b[8+size:]
			}
			if !bytes.Equal(out.Bytes(), wantOut) || !bytes.Equal(errb.Bytes(), wantErr) {
				t.Fatalf("demuxed %q %q, want %q %q", out.Bytes(), errb.Bytes(), wantOut, wantErr)
			}
		} else {
			var fe *docker.FrameError
			var se *docker.StreamError
			if !errors.As(err, &fe) && !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}

		o := docker.NewOutput(response(splitAt(data, split), ""))
		out.Reset()
		errb.Reset()
		err = o.Demux(&out, &errb)
		if o.TTY && (err != nil || !bytes.Equal(out.Bytes(), data) || errb.Len() != 0) {
			t.Fatalf("TTY stream not copied whole: %v", err)
		}
	})
}

// FuzzJSONStream: any bytes decode without panicking into typed, map and
// raw values; there are never more values than input bytes, and an
// error is either the daemon's (*StreamError) or says what went wrong.
//
//	go test -run '^$' -fuzz FuzzJSONStream .
func FuzzJSONStream(f *testing.F) {
	f.Add([]byte(pullStream))
	f.Add([]byte(`{"status":"a"}` + "\n" + `{"errorDetail":{"code":7,"message":"boom"},"error":"boom"}`))
	f.Add([]byte(`{"status":"cut off`))
	f.Add([]byte(`{"status":1}{"id":"x"} [1,2] "s" null`))
	f.Add([]byte("\r\n\r\n"))
	f.Add([]byte(`{"error":""}{"errorDetail":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(n int, err error) {
			if n > len(data) {
				t.Fatalf("%d values from %d bytes", n, len(data))
			}
			var se *docker.StreamError
			if err != nil && !errors.As(err, &se) && !strings.Contains(err.Error(), "ImageCreate") {
				t.Fatalf("error without context: %v", err)
			}
			if se != nil && se.Message == "" {
				t.Fatal("StreamError without a message")
			}
		}
		typed, err := collect(jsonStream[docker.JSONMessage](bytes.NewReader(data)))
		check(len(typed), err)
		maps, err := collect(jsonStream[map[string]any](bytes.NewReader(data)))
		check(len(maps), err)
		raws, err := collect(jsonStream[json.RawMessage](&oneByte{data: data}))
		check(len(raws), err)
		for _, r := range raws {
			if !json.Valid(r) {
				t.Fatalf("invalid raw value %q", r)
			}
		}
	})
}

// FuzzDecodePathStat: any header value decodes or fails without panicking,
// and a stat survives encoding as the daemon does it and decoding.
//
//	go test -run '^$' -fuzz FuzzDecodePathStat .
func FuzzDecodePathStat(f *testing.F) {
	encode := func(st docker.PathStat) string {
		b, _ := json.Marshal(st)
		return base64.StdEncoding.EncodeToString(b)
	}
	f.Add(encode(docker.PathStat{Name: "hello.txt", Size: 14, Mode: 0o640, Mtime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}))
	f.Add(encode(docker.PathStat{Name: "link", Mode: 0o777 | 1<<27, LinkTarget: "/tmp/data/hello.txt"}))
	f.Add("eyJuYW1lIjoiZGlyIiwic2l6ZSI6NDA5NiwibW9kZSI6MjE0NzQ4NDY1MywibXRpbWUiOiIyMDI0LTAxLTAyVDAzOjA0OjA1WiIsImxpbmtUYXJnZXQiOiIifQ==")
	f.Add("not base64!")
	f.Add(base64.StdEncoding.EncodeToString([]byte("not json")))
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		st, err := docker.DecodePathStat(h)
		if err != nil {
			if st != nil {
				t.Fatal("a stat and an error")
			}
			return
		}
		again, err := docker.DecodePathStat(encode(*st))
		if err != nil {
			// A time that JSON cannot hold (a year past 9999) does not
			// encode; nothing else may fail.
			if _, merr := json.Marshal(st); merr == nil {
				t.Fatalf("re-decoding %+v: %v", st, err)
			}
			return
		}
		if again.Name != st.Name || again.Size != st.Size || again.Mode != st.Mode || again.LinkTarget != st.LinkTarget || !again.Mtime.Equal(st.Mtime) {
			t.Fatalf("%+v became %+v", st, again)
		}
	})
}
