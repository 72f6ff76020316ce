package docker_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dialer"
	"github.com/dockerclient/docker/v141"
)

// fakeAttach answers attach and exec as dockerd does: a 101 whose
// content type is raw-stream (what dockerd before API 1.42 says of every
// stream), with a first frame in the same write, then an echo of stdin,
// frame by frame, until the client half-closes; then a last frame on
// stderr and the end. A container whose name starts with "tty" (attach) or
// "Tty":true (exec) makes it a raw TTY stream. ?status=404 refuses. It
// answers a container's inspect with its Config.Tty, as the SDK asks before
// attaching below API 1.42.
func fakeAttach(t testing.TB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answerInspect(w, r) {
			return
		}
		if r.URL.Query().Get("status") == "404" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"No such container: gone"}`)
			return
		}
		if r.Header.Get("Upgrade") != "tcp" || !strings.EqualFold(r.Header.Get("Connection"), "Upgrade") {
			http.Error(w, "no upgrade", http.StatusBadRequest)
			return
		}
		tty := strings.Contains(r.URL.Path, "/containers/tty")
		if r.Body != nil && strings.HasPrefix(r.URL.Path, "/v1.41/exec/") {
			var body struct{ Tty bool }
			json.NewDecoder(r.Body).Decode(&body)
			tty = body.Tty
		}
		switch r.URL.Query().Get("answer") {
		case "detached":
			// A detached ExecStart: 200, no body, and a connection the
			// server keeps open.
			conn, _, _ := w.(http.Hijacker).Hijack()
			defer conn.Close()
			io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
			io.Copy(io.Discard, conn)
			return
		case "old":
			// An old daemon that does not upgrade: 200, then the stream
			// until the connection closes.
			conn, _, _ := w.(http.Hijacker).Hijack()
			defer conn.Close()
			io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n")
			conn.Write(frames(frame(1, "old "), frame(2, "daemon")))
			return
		}
		contentType := r.URL.Query().Get("ct")
		if contentType == "" {
			contentType = "application/vnd.docker.raw-stream"
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		out := func(stream byte, s string) []byte {
			if tty {
				return []byte(s)
			}
			return frame(stream, s)
		}
		first := "HTTP/1.1 101 UPGRADED\r\nContent-Type: " + contentType + "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
		if r.URL.Query().Get("early") != "" {
			first += r.URL.Query().Get("early")
		} else {
			first += string(out(1, "hello from the daemon\n"))
		}
		if _, err := io.WriteString(conn, first); err != nil {
			return
		}
		buf := make([]byte, 4096)
		for {
			n, err := brw.Read(buf)
			if n > 0 {
				if _, err := conn.Write(out(1, string(buf[:n]))); err != nil {
					return
				}
			}
			if err != nil {
				break
			}
		}
		conn.Write(out(2, "stdin closed\n"))
	})
}

// exchange writes stdin, half-closes, and demuxes the rest.
func exchange(t *testing.T, h *docker.HijackedConn, stdin string) (stdout, stderr string, o *docker.Output) {
	t.Helper()
	if _, err := io.WriteString(h, stdin); err != nil {
		t.Fatal(err)
	}
	if err := h.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	o = h.Output()
	if err := o.Demux(&out, &errb); err != nil {
		t.Fatalf("Demux: %v (stdout %q)", err, out.String())
	}
	return out.String(), errb.String(), o
}

func TestHijackAttachHalfClose(t *testing.T) {
	_, cli := testServer(t, fakeAttach(t))
	h, err := cli.ContainerAttach(context.Background(), "c", v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	stdout, stderr, o := exchange(t, h, "ping\n")
	if o.TTY || stdout != "hello from the daemon\nping\n" || stderr != "stdin closed\n" {
		t.Fatalf("TTY %v, stdout %q, stderr %q", o.TTY, stdout, stderr)
	}
	if h.Header.Get("Content-Type") != "application/vnd.docker.raw-stream" {
		t.Fatalf("headers %v", h.Header)
	}
}

// TestHijackAttachTTYLearnedByInspect: before API 1.42 the daemon does not
// say whether attach output is raw; the SDK inspects the container first,
// and never guesses from the bytes. The TTY's first output here looks like
// a frame header (01 00 00 00), which a guess would take for one.
func TestHijackAttachTTYLearnedByInspect(t *testing.T) {
	_, cli := testServer(t, fakeAttach(t))
	for _, name := range []string{"tty-c", "c"} {
		h, err := cli.ContainerAttach(context.Background(), name, v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true})
		if err != nil {
			t.Fatal(err)
		}
		tty := name == "tty-c"
		if h.TTY != tty {
			t.Fatalf("%s: TTY %v, want %v", name, h.TTY, tty)
		}
		input := "\x01\x00\x00\x00hello"
		stdout, stderr, o := exchange(t, h, input)
		want := [2]string{"hello from the daemon\n" + input, "stdin closed\n"}
		if tty {
			want = [2]string{want[0] + want[1], ""}
		}
		if o.TTY != tty || stdout != want[0] || stderr != want[1] {
			t.Fatalf("%s: TTY %v, stdout %q, stderr %q", name, o.TTY, stdout, stderr)
		}
		h.Close()
	}
}

func TestHijackExecTTY(t *testing.T) {
	_, cli := testServer(t, fakeAttach(t))
	for _, tty := range []bool{false, true} {
		h, err := cli.ExecStart(context.Background(), "e", v141.ExecStartOptions{Body: &v141.ExecStartRequest{TTY: tty}})
		if err != nil {
			t.Fatal(err)
		}
		if h.TTY != tty {
			t.Fatalf("TTY %v, want %v", h.TTY, tty)
		}
		stdout, stderr, _ := exchange(t, h, "x\n")
		want := [2]string{"hello from the daemon\nx\n", "stdin closed\n"}
		if tty {
			want = [2]string{"hello from the daemon\nx\nstdin closed\n", ""}
		}
		if stdout != want[0] || stderr != want[1] {
			t.Fatalf("tty %v: stdout %q, stderr %q", tty, stdout, stderr)
		}
		h.Close()
	}
}

// TestHijackContentTypeTrust: the raw-stream content type decides only
// for API 1.42+; earlier, frame-like output is still demultiplexed.
func TestHijackContentTypeTrust(t *testing.T) {
	c, _ := testServer(t, fakeAttach(t))
	early := string(frame(1, "frame-like"))
	for _, tc := range []struct {
		version, contentType string
		tty                  bool
		stdout               string
	}{
		{"1.41", "application/vnd.docker.raw-stream", false, "frame-like"},
		{"1.44", "application/vnd.docker.raw-stream", true, early + string(frame(2, "stdin closed\n"))},
		{"1.44", "application/vnd.docker.multiplexed-stream", false, "frame-like"},
	} {
		r := docker.NewRequest("ContainerAttach", tc.version, http.MethodPost, "/containers/{id}/attach")
		r.PathParam("id", "c")
		r.Query("early", early)
		r.Query("ct", tc.contentType)
		h, err := c.Hijack(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		h.CloseWrite()
		var out strings.Builder
		o := h.Output()
		o.Demux(&out, io.Discard)
		h.Close()
		if o.TTY != tc.tty || out.String() != tc.stdout {
			t.Errorf("%s %s: TTY %v, stdout %q", tc.version, tc.contentType, o.TTY, out.String())
		}
	}
}

// TestHijackBufferedAfterResponse: output that arrives in the same packet
// as the 101 is read first, through Read and through Conn.
func TestHijackBufferedAfterResponse(t *testing.T) {
	_, cli := testServer(t, fakeAttach(t))
	h, err := cli.ContainerAttach(context.Background(), "c", v141.ContainerAttachOptions{Stream: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	want := frame(1, "hello from the daemon\n")
	got := make([]byte, len(want))
	if _, err := io.ReadFull(h.Conn(), got); err != nil || string(got) != string(want) {
		t.Fatalf("Conn().Read: %q, %v", got, err)
	}
	if err := h.Conn().(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(h)
	if err != nil || string(rest) != string(frame(2, "stdin closed\n")) {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

// TestHijackTLSHalfClose: over TLS, CloseWrite sends close_notify (and a
// TCP half-close); the server reads EOF and its answer still arrives.
func TestHijackTLSHalfClose(t *testing.T) {
	srv := httptest.NewTLSServer(fakeAttach(t))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	ep, err := dialer.Parse("tcp://" + srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if ep, err = ep.WithTLS(tlsConfig(pool)); err != nil {
		t.Fatal(err)
	}
	c, err := docker.New(docker.WithEndpoint(ep), docker.WithoutVersionCheck())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h, err := v141.New(c).ContainerAttach(context.Background(), "c", v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	stdout, stderr, _ := exchange(t, h, strings.Repeat("over tls\n", 1000))
	if stdout != "hello from the daemon\n"+strings.Repeat("over tls\n", 1000) || stderr != "stdin closed\n" {
		t.Fatalf("stdout %d bytes, stderr %q", len(stdout), stderr)
	}
	if _, err := h.Write([]byte("after CloseWrite")); err == nil {
		t.Fatal("Write after CloseWrite succeeded")
	}
}

// TestHijackCancel: cancelling the context closes the connection: a Read
// in progress ends with the context's error, Close then succeeds, and no
// goroutine is left.
func TestHijackCancel(t *testing.T) {
	c, cli := testServer(t, fakeAttach(t))
	before := goroutines()
	ctx, cancel := context.WithCancel(context.Background())
	h, err := cli.ContainerAttach(ctx, "c", v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.Output().Demux(io.Discard, io.Discard) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Demux after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not end the read")
	}
	if _, err := h.Write([]byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write after cancel: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Fatalf("Close after cancel: %v", err)
	}
	checkGoroutines(t, c, before)

	// A connection closed before its context ends stops watching it.
	before = goroutines()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	for i := 0; i < 20; i++ {
		h, err := cli.ContainerAttach(ctx2, "c", v141.ContainerAttachOptions{Stream: true, Stdout: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
	}
	checkGoroutines(t, c, before)
}

func TestHijackErrorStatus(t *testing.T) {
	c, _ := testServer(t, fakeAttach(t))
	r := docker.NewRequest("ContainerAttach", "1.41", http.MethodPost, "/containers/{id}/attach")
	r.PathParam("id", "gone")
	r.Query("status", "404")
	_, err := c.Hijack(context.Background(), r)
	if !docker.IsNotFound(err) || !strings.Contains(err.Error(), "No such container: gone") {
		t.Fatalf("err = %v", err)
	}
}

// TestHijackThroughHTTPClient: a client with only an http.Client and a base
// URL hijacks through net/http's upgrade support. It cannot half-close,
// and says so.
func TestHijackThroughHTTPClient(t *testing.T) {
	srv := httptest.NewServer(fakeAttach(t))
	defer srv.Close()
	c, err := docker.New(docker.WithHTTPClient(srv.Client()), docker.WithBaseURL(srv.URL), docker.WithoutVersionCheck())
	if err != nil {
		t.Fatal(err)
	}
	h, err := v141.New(c).ContainerAttach(context.Background(), "c", v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	want := string(frame(1, "hello from the daemon\n")) + string(frame(1, "ping\n"))
	io.WriteString(h, "ping\n")
	got := make([]byte, len(want))
	if _, err := io.ReadFull(h, got); err != nil || string(got) != want {
		t.Fatalf("read %q, %v", got, err)
	}
	if err := h.CloseWrite(); err == nil || !strings.Contains(err.Error(), "cannot half-close") {
		t.Fatalf("CloseWrite: %v", err)
	}
}

func tlsConfig(roots *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}

// TestHijack200: a 200 instead of a 101 is a stream up to the end of its
// body: the whole connection for an old daemon, nothing for a detached
// ExecStart (Content-Length: 0), however long the server keeps the
// connection open.
func TestHijack200(t *testing.T) {
	c, _ := testServer(t, fakeAttach(t))
	for answer, want := range map[string][2]string{"old": {"old ", "daemon"}, "detached": {"", ""}} {
		r := docker.NewRequest("ExecStart", "1.41", http.MethodPost, "/exec/{id}/start")
		r.PathParam("id", "e")
		r.Query("answer", answer)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		h, err := c.Hijack(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		var out, errb strings.Builder
		err = h.Output().Demux(&out, &errb)
		h.Close()
		cancel()
		if err != nil || out.String() != want[0] || errb.String() != want[1] {
			t.Fatalf("%s: %v, stdout %q, stderr %q", answer, err, out.String(), errb.String())
		}
	}
}

// TestHijackUpgradeProtocol: attach and exec ask for tcp, Session for h2c
// (BuildKit refuses anything else), and a request's own Upgrade header
// wins; a daemon that upgrades to another protocol is an error.
func TestHijackUpgradeProtocol(t *testing.T) {
	c, cli := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet { // the inspect before an attach
			io.WriteString(w, `{"Config":{"Tty":false}}`)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		up := r.Header.Get("Upgrade")
		if r.URL.Query().Get("answer") != "" {
			up = r.URL.Query().Get("answer")
		}
		io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "+up+"\r\n\r\n"+r.Header.Get("Upgrade"))
	}))
	read := func(h *docker.HijackedConn, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		b, _ := io.ReadAll(h)
		return string(b)
	}
	ctx := context.Background()
	if got := read(cli.Session(ctx)); got != "h2c" {
		t.Errorf("Session asked for %q", got)
	}
	if got := read(cli.ContainerAttach(ctx, "c", v141.ContainerAttachOptions{Stream: true})); got != "tcp" {
		t.Errorf("ContainerAttach asked for %q", got)
	}
	r := docker.NewRequest("Custom", "1.41", http.MethodPost, "/grpc")
	r.Header("Upgrade", "websocket")
	if got := read(c.Hijack(ctx, r)); got != "websocket" {
		t.Errorf("a request's own Upgrade became %q", got)
	}
	r = docker.NewRequest("ContainerAttach", "1.41", http.MethodPost, "/containers/c/attach")
	r.Query("answer", "h2c")
	if _, err := c.Hijack(ctx, r); err == nil || !strings.Contains(err.Error(), `upgraded to "h2c", not tcp`) {
		t.Errorf("a wrong upgrade: %v", err)
	}
}
