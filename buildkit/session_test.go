package buildkit

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
)

// h2cClient is the daemon's side of a session: an HTTP/2 client (Go's own,
// with prior knowledge) whose connections a session serves, each as the
// one connection of a real session. (Go's client may close an idle
// connection and dial again, which a daemon does not do.)
func h2cClient(t *testing.T, g *grpcServer) *http.Client {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var stops []func()
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			stops = append(stops, serveConn(conn, g))
			mu.Unlock()
		}
	}()
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{
		Protocols: p,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		l.Close()
		<-accepted
		mu.Lock()
		defer mu.Unlock()
		for _, stop := range stops {
			stop()
		}
	})
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func frame(m []byte) []byte {
	b := make([]byte, 5, 5+len(m))
	binary.BigEndian.PutUint32(b[1:], uint32(len(m)))
	return append(b, m...)
}

// call makes a unary call and returns the response message and status.
func call(t *testing.T, c *http.Client, method string, body []byte) (msg []byte, status, message string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://session"+method, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/grpc" {
		t.Fatalf("%s: %s, Content-Type %q", method, resp.Status, resp.Header.Get("Content-Type"))
	}
	all, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading: %v", method, err)
	}
	if len(all) > 0 {
		m, err := readMessage(bytes.NewReader(all), maxStreamMessage)
		if err != nil {
			t.Fatalf("%s: response %x: %v", method, all, err)
		}
		msg = m
	}
	return msg, resp.Trailer.Get("Grpc-Status"), resp.Trailer.Get("Grpc-Message")
}

func stringMsg(num int, s string) []byte {
	var w writer
	w.string(num, s)
	return w.b
}

func TestSessionUnaryCalls(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("from a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	var asked []string
	cfg := &Config{
		Secrets: []Secret{{ID: "token", Data: []byte("s3cret")}, {ID: "empty"}, {ID: "file", File: secretFile}},
		Credentials: func(_ context.Context, host string) (*docker.AuthConfig, error) {
			asked = append(asked, host)
			switch host {
			case "docker.io":
				return &docker.AuthConfig{Username: "me", Password: "pw"}, nil
			case "ghcr.io":
				return &docker.AuthConfig{Username: "ignored", IdentityToken: "idtoken"}, nil
			}
			return nil, errors.New("helper failed")
		},
	}
	g, err := services(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := h2cClient(t, g)

	msg, status, _ := call(t, c, methodHealth, frame(nil))
	if status != "0" || !bytes.Equal(msg, []byte{0x08, 0x01}) {
		t.Errorf("health: status %q, message %x; want 0 and SERVING", status, msg)
	}

	msg, status, _ = call(t, c, methodSecret, frame(stringMsg(1, "token")))
	if status != "0" || !bytes.Equal(bytesField(msg), []byte("s3cret")) {
		t.Errorf("secret: status %q, message %q", status, msg)
	}
	_, status, text := call(t, c, methodSecret, frame(stringMsg(1, "other")))
	if status != "5" || !strings.Contains(text, "other") {
		t.Errorf("unknown secret: status %q %q, want NotFound (5)", status, text)
	}
	// Read when the session was made: what the file holds later is not seen.
	os.WriteFile(secretFile, []byte("changed"), 0o600)
	msg, status, _ = call(t, c, methodSecret, frame(stringMsg(1, "file")))
	if status != "0" || string(bytesField(msg)) != "from a file" {
		t.Errorf("secret from a file: status %q, message %q", status, msg)
	}
	msg, status, _ = call(t, c, methodSecret, frame(stringMsg(1, "empty")))
	if status != "0" || len(bytesField(msg)) != 0 {
		t.Errorf("an empty secret: status %q, message %q; want it found, and empty", status, msg)
	}

	// Docker Hub is asked for as registry-1.docker.io and looked up as
	// docker.io; an identity token goes as the secret alone.
	msg, status, _ = call(t, c, methodCredentials, frame(stringMsg(1, "registry-1.docker.io")))
	if want := append(stringMsg(1, "me"), stringMsg(2, "pw")...); status != "0" || !bytes.Equal(msg, want) {
		t.Errorf("Docker Hub credentials: status %q, message %q", status, msg)
	}
	msg, status, _ = call(t, c, methodCredentials, frame(stringMsg(1, "ghcr.io")))
	if status != "0" || !bytes.Equal(msg, stringMsg(2, "idtoken")) {
		t.Errorf("identity token: status %q, message %q", status, msg)
	}
	_, status, text = call(t, c, methodCredentials, frame(stringMsg(1, "bad.example")))
	if status != "14" || !strings.Contains(text, "helper failed") {
		t.Errorf("failing lookup: status %q %q", status, text)
	}
	if want := []string{"docker.io", "ghcr.io", "bad.example"}; strings.Join(asked, " ") != strings.Join(want, " ") {
		t.Errorf("looked up %q, want %q", asked, want)
	}

	_, status, _ = call(t, c, "/moby.filesync.v1.FileSync/DiffCopy", frame(nil))
	if status != "12" {
		t.Errorf("a method not served: status %q, want Unimplemented (12)", status)
	}
	_, status, _ = call(t, c, methodCheckAgent, frame(nil))
	if status != "12" {
		t.Errorf("SSH without agents: status %q, want Unimplemented (12)", status)
	}
}

// A hostile or broken peer: messages that are too long, compressed,
// malformed or cut off get an error status, and the session goes on.
func TestSessionRefusesBadMessages(t *testing.T) {
	g, err := services(&Config{Secrets: []Secret{{ID: "a", Data: []byte("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	c := h2cClient(t, g)
	huge := make([]byte, 5)
	binary.BigEndian.PutUint32(huge[1:], maxRequestMessage+1)
	compressed := frame(stringMsg(1, "a"))
	compressed[0] = 1
	for name, tc := range map[string]struct {
		body []byte
		want string
	}{
		"over the size limit": {huge, "8"},
		"compressed":          {compressed, "12"},
		"no message":          {nil, "3"},
		"header cut off":      {[]byte{0, 0, 0}, "3"},
		"message cut off":     {frame(stringMsg(1, "a"))[:6], "3"},
		"not protobuf":        {frame([]byte{0x0b}), "3"},
	} {
		if _, status, text := call(t, c, methodSecret, tc.body); status != tc.want {
			t.Errorf("%s: status %q (%s), want %s", name, status, text, tc.want)
		}
	}
	if msg, status, _ := call(t, c, methodSecret, frame(stringMsg(1, "a"))); status != "0" || string(bytesField(msg)) != "x" {
		t.Errorf("after the bad messages a good one got %q %q", status, msg)
	}
}

func TestServicesRefuseBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"secret without ID":    {Secrets: []Secret{{Data: []byte("x")}}},
		"secret twice":         {Secrets: []Secret{{ID: "a"}, {ID: "a"}}},
		"secret data and file": {Secrets: []Secret{{ID: "a", Data: []byte("x"), File: "/f"}}},
		"agent twice":          {SSH: []SSHAgent{{Socket: "/a"}, {ID: "default", Socket: "/b"}}},
	} {
		if _, err := services(&cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	big := filepath.Join(t.TempDir(), "big")
	os.WriteFile(big, make([]byte, maxSecret+1), 0o600)
	for name, tc := range map[string]struct{ file, want string }{
		"missing file": {"/nonexistent/typo/.npmrc", `secret "a": open /nonexistent/typo/.npmrc: no such file`},
		"file too big": {big, "longer than 512000 bytes"},
	} {
		_, err := services(&Config{Secrets: []Secret{{ID: "a", File: tc.file}}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
	t.Setenv("SSH_AUTH_SOCK", "")
	if _, err := services(&Config{SSH: []SSHAgent{{}}}); err == nil || !strings.Contains(err.Error(), "SSH_AUTH_SOCK") {
		t.Errorf("an agent with no socket and no SSH_AUTH_SOCK: %v", err)
	}
}

func TestStartRefusesBeforeSending(t *testing.T) {
	// Nothing listens here: each refusal comes before a request is sent.
	c, err := docker.New(docker.WithHost("unix://" + filepath.Join(t.TempDir(), "none.sock")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := Start(ctx, c, Config{}); err == nil || !strings.Contains(err.Error(), "Context is nil") {
		t.Errorf("no context: %v", err)
	}
	_, err = Start(ctx, c, Config{Context: strings.NewReader(""), APIVersion: "1.37"})
	if !errors.Is(err, ErrNoBuildKit) || !strings.Contains(err.Error(), "1.38") {
		t.Errorf("API 1.37: %v, want ErrNoBuildKit saying 1.38", err)
	}
	if _, err := Start(ctx, c, Config{Context: strings.NewReader(""), APIVersion: "2"}); err == nil {
		t.Error("API version 2 accepted")
	}
	_, err = Start(ctx, c, Config{Context: strings.NewReader(""), APIVersion: "1.39", Output: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "1.40") {
		t.Errorf("Output with API 1.39: %v, want an error saying 1.40", err)
	}
}

// ForwardAgent carries an SSH agent's protocol both ways: here a real
// ssh-agent asked for its identities (none).
func TestForwardAgent(t *testing.T) {
	sock := startSSHAgent(t)

	g, err := services(&Config{SSH: []SSHAgent{{ID: "work", Socket: sock}}})
	if err != nil {
		t.Fatal(err)
	}
	c := h2cClient(t, g)
	if _, status, _ := call(t, c, methodCheckAgent, frame(stringMsg(1, "work"))); status != "0" {
		t.Errorf("CheckAgent(work): status %q", status)
	}
	if _, status, _ := call(t, c, methodCheckAgent, frame(stringMsg(1, "other"))); status != "5" {
		t.Errorf("CheckAgent(other): status %q, want NotFound", status)
	}

	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://session"+methodForward, pr)
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set(sshIDKey, "work")
	respc := make(chan *http.Response, 1)
	go func() {
		resp, err := c.Do(req)
		if err != nil {
			t.Error(err)
			close(respc)
			return
		}
		respc <- resp
	}()
	// SSH_AGENTC_REQUEST_IDENTITIES (11), framed as the agent protocol
	// wants (a 4-byte length), in a BytesMessage.
	var w writer
	w.bytes(1, []byte{0, 0, 0, 1, 11})
	if _, err := pw.Write(frame(w.b)); err != nil {
		t.Fatal(err)
	}
	resp := <-respc
	if resp == nil {
		t.FailNow()
	}
	defer resp.Body.Close()
	m, err := readMessage(resp.Body, maxStreamMessage)
	if err != nil {
		t.Fatal(err)
	}
	// SSH_AGENT_IDENTITIES_ANSWER (12) with no keys: length 5, 12, count 0.
	if got := bytesField(m); !bytes.Equal(got, []byte{0, 0, 0, 5, 12, 0, 0, 0, 0}) {
		t.Errorf("the agent's answer came back as %x", got)
	}
	pw.Close() // the daemon's side ends; the agent's connection closes
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Errorf("reading to the end: %v", err)
	}
	if s := resp.Trailer.Get("Grpc-Status"); s != "0" {
		t.Errorf("ForwardAgent ended with status %q", s)
	}
}

// startSSHAgent runs a real ssh-agent (Debian's openssh-client has one)
// for the test, or skips it, and returns its socket.
func startSSHAgent(t *testing.T) string {
	t.Helper()
	agentBin, err := exec.LookPath("ssh-agent")
	if err != nil {
		t.Skip("no ssh-agent on this machine (Debian's openssh-client has it)")
	}
	dir, err := os.MkdirTemp("", "agent") // short: a socket path is at most 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	agent := exec.Command(agentBin, "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			return sock
		}
		if i == 100 {
			t.Fatal("ssh-agent made no socket in 5 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stream sends messages as one client stream and returns the status.
func stream(t *testing.T, c *http.Client, method string, msgs ...[]byte) (status, message string) {
	t.Helper()
	var body []byte
	for _, m := range msgs {
		var w writer
		w.bytes(1, m)
		body = append(body, frame(w.b)...)
	}
	_, status, message = call(t, c, method, body)
	return status, message
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFileSend(t *testing.T) {
	var out bytes.Buffer
	g, err := services(&Config{Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	c := h2cClient(t, g)
	if status, msg := stream(t, c, methodFileSend, []byte("tar "), []byte("bytes")); status != "0" || out.String() != "tar bytes" {
		t.Errorf("status %q %q, output %q", status, msg, out.String())
	}
	if status, _ := stream(t, c, methodFileSend, []byte("again")); status != "9" || out.String() != "tar bytes" {
		t.Errorf("a second output stream: status %q, output %q; want FailedPrecondition and nothing added", status, out.String())
	}

	g, err = services(&Config{Output: failingWriter{}})
	if err != nil {
		t.Fatal(err)
	}
	if status, msg := stream(t, h2cClient(t, g), methodFileSend, []byte("x")); status != "13" || !strings.Contains(msg, "disk full") {
		t.Errorf("a failing writer: status %q %q, want Internal naming its error", status, msg)
	}
}

// A header that announces a large message costs nothing until its bytes
// come: streams that each announce 4 MiB and send nothing more do not
// grow the heap by their announced sizes.
func TestAnnouncedSizeIsNotAllocated(t *testing.T) {
	g := &grpcServer{stream: map[string]streamFunc{"/test.Read/Read": func(st *grpcStream) error {
		_, err := st.recv()
		return err
	}}}
	c := h2cClient(t, g)
	hdr := make([]byte, 5)
	binary.BigEndian.PutUint32(hdr[1:], maxStreamMessage)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const streams = 32
	var writers []*io.PipeWriter
	for i := 0; i < streams; i++ {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		req, _ := http.NewRequest("POST", "http://session/test.Read/Read", pr)
		req.Header.Set("Content-Type", "application/grpc")
		go func() {
			if resp, err := c.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
		pw.Write(hdr)
	}
	time.Sleep(300 * time.Millisecond) // the handlers wait for the bytes
	runtime.GC()
	runtime.ReadMemStats(&after)
	for _, pw := range writers {
		pw.CloseWithError(errors.New("test over"))
	}
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if grown > streams*maxStreamMessage/4 { // preallocating would grow it by 128 MiB
		t.Errorf("%d streams announcing %d bytes each grew the heap by %d MiB", streams, maxStreamMessage, grown>>20)
	}
	t.Logf("%d streams announcing 4 MiB each: heap grew %d KiB", streams, grown>>10)
}
