package dockertest_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockerclient/docker/dockertest"
)

// zeros reads n zero bytes.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

func base(d *dockertest.Server) string { return "http://" + strings.TrimPrefix(d.Host(), "tcp://") }

func get(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func post(t *testing.T, url, contentType string, body io.Reader, size int64) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// In record mode a byte body (here an image to load) goes to the upstream
// daemon whole, however large, as it arrives; the call keeps its start.
func TestRecordStreamsLargeBodies(t *testing.T) {
	defer dockertest.SetMaxBody(1 << 20)()
	var got atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got.Store(n)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"stream":"Loaded image: x\n"}`+"\n")
	}))
	defer up.Close()
	rec := dockertest.Start(t, "1.47", dockertest.Record(filepath.Join(t.TempDir(), "rec.json"), "tcp://"+up.Listener.Addr().String()))
	const size = 5 << 20
	code, body := post(t, base(rec)+"/v1.47/images/load", "application/x-tar", &zeros{size}, size)
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if got.Load() != size {
		t.Errorf("the upstream daemon got %d bytes; want %d", got.Load(), size)
	}
	c := rec.CallsOf("ImageLoad")
	if len(c) != 1 || len(c[0].RawBody) != 1<<20 || !c[0].BodyTruncated {
		t.Fatalf("the recorder's calls %d; want one that keeps the first 1 MiB, marked truncated", len(c))
	}
}

// A body over the limit the server holds whole is neither cut nor passed
// on: the test fails, naming the operation and the limit, and the client
// gets 413.
func TestBodyOverLimitFails(t *testing.T) {
	defer dockertest.SetMaxBody(1 << 20)()
	for _, mode := range []string{"plain", "record"} {
		t.Run(mode, func(t *testing.T) {
			up := dockertest.Start(t, "1.47")
			rt := &recT{T: t}
			var opts []dockertest.Option
			if mode == "record" {
				opts = append(opts, dockertest.Record(filepath.Join(t.TempDir(), "rec.json"), up.Host()))
			}
			d := dockertest.Start(rt, "1.47", opts...)
			const size = 2 << 20
			body := `{"Image":"x","Labels":{"a":"` + strings.Repeat("x", size) + `"}}`
			code, msg := post(t, base(d)+"/v1.47/containers/create", "application/json", strings.NewReader(body), int64(len(body)))
			if code != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "1 MiB") {
				t.Errorf("status %d %s; want 413 naming the limit", code, msg)
			}
			fails := rt.failures()
			if len(fails) != 1 || !strings.Contains(fails[0], "ContainerCreate") || !strings.Contains(fails[0], "1 MiB") {
				t.Errorf("failures %q; want one naming ContainerCreate and the 1 MiB limit", fails)
			}
			if n := len(up.CallsOf("ContainerCreate")); n != 0 {
				t.Errorf("the upstream daemon got %d calls; want none", n)
			}
		})
	}
}

// A call keeps the first KeepBodies bytes of its body (1 MiB by default)
// and says when it kept less than was sent; KeepBodies(0) keeps none.
func TestCallsKeepBoundedBodies(t *testing.T) {
	const size = 3 << 20
	for _, c := range []struct {
		opts []dockertest.Option
		keep int
	}{
		{nil, dockertest.DefaultKeepBodies},
		{[]dockertest.Option{dockertest.KeepBodies(0)}, 0},
		{[]dockertest.Option{dockertest.KeepBodies(8 << 20)}, size},
	} {
		d := dockertest.Start(t, "1.47", c.opts...)
		if code, body := post(t, base(d)+"/v1.47/build", "application/x-tar", &zeros{size}, size); code != 200 {
			t.Fatalf("build: %d %s", code, body)
		}
		call := d.CallsOf("ImageBuild")[0]
		if len(call.RawBody) != c.keep || call.BodySize != size || call.BodyTruncated != (c.keep < size) {
			t.Errorf("keep %d: the call keeps %d bytes of %d, truncated %v", c.keep, len(call.RawBody), call.BodySize, call.BodyTruncated)
		}
		if err := call.DecodeBody(new(any)); c.keep < size && (err == nil || !strings.Contains(err.Error(), "KeepBodies")) {
			t.Errorf("DecodeBody of a cut body: %v; want an error naming KeepBodies", err)
		}
	}
}

// The default attach echoes stdin as it arrives, not once the client
// half-closes: it holds no more than a read's worth.
func TestAttachEchoesAsItArrives(t *testing.T) {
	d := dockertest.Start(t, "1.47")
	c, err := net.Dial("tcp", strings.TrimPrefix(d.Host(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /v1.47/containers/x/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("attach: %v %v", resp, err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	readFrame := func() string {
		var hdr [8]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			t.Fatalf("reading a frame: %v", err)
		}
		b := make([]byte, binary.BigEndian.Uint32(hdr[4:]))
		if _, err := io.ReadFull(br, b); err != nil {
			t.Fatalf("reading a frame: %v", err)
		}
		return string(b)
	}
	if got := readFrame(); got != "hello from stdout\n" {
		t.Fatalf("first frame %q", got)
	}
	for _, line := range []string{"ping\n", "pong\n"} {
		io.WriteString(c, line)
		if got := readFrame(); got != line {
			t.Errorf("echo %q; want %q", got, line)
		}
	}
}
