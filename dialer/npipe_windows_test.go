//go:build windows && go1.25

package dialer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

var (
	kernel32            = syscall.NewLazyDLL("kernel32.dll")
	procCreateNamedPipe = kernel32.NewProc("CreateNamedPipeW")
	procConnectNamed    = kernel32.NewProc("ConnectNamedPipe")
)

const (
	pipeAccessDuplex    = 0x3
	pipeTypeMessage     = 0x4
	pipeReadModeMessage = 0x2
	pipeUnlimited       = 255
	errorPipeConnected  = syscall.Errno(535)
)

var pipeSeq atomic.Int64

// pipeServer creates one instance of a named pipe (message mode, like the
// Docker engine's) and serves a single client on it with serve, in a
// goroutine that ends when the client goes away.
func pipeServer(t *testing.T, serve func(f *os.File)) (path string) {
	t.Helper()
	path = fmt.Sprintf(`\\.\pipe\dialer-test-%d-%d`, os.Getpid(), pipeSeq.Add(1))
	name, _ := syscall.UTF16PtrFromString(path)
	h, _, err := procCreateNamedPipe.Call(uintptr(unsafe.Pointer(name)), pipeAccessDuplex,
		pipeTypeMessage|pipeReadModeMessage, pipeUnlimited, 65536, 65536, 0, 0)
	if syscall.Handle(h) == syscall.InvalidHandle {
		t.Fatalf("CreateNamedPipe: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, _, err := procConnectNamed.Call(h, 0)
		if r == 0 && err != errorPipeConnected {
			syscall.CloseHandle(syscall.Handle(h))
			return
		}
		f := os.NewFile(h, path)
		defer f.Close()
		serve(f)
	}()
	t.Cleanup(func() {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("pipe server did not finish")
		}
	})
	return path
}

// serveHTTP answers every request on the pipe with "OK" until EOF.
func serveHTTP(f *os.File) {
	br := bufio.NewReader(f)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		if _, err := io.WriteString(f, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"); err != nil {
			return
		}
	}
}

// TestNpipeHTTP makes several requests on one pipe connection: the client
// must be able to write a request while its read of the next response is
// pending, which a synchronous handle would deadlock on.
func TestNpipeHTTP(t *testing.T) {
	path := pipeServer(t, serveHTTP)
	ep, err := Parse("npipe://" + strings.ReplaceAll(path, `\`, "/"))
	if err != nil {
		t.Fatal(err)
	}
	tr := ep.Transport()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := 0; i < 3; i++ {
		if code, body := get(t, c, ep.BaseURL()+"/_ping"); code != 200 || body != "OK" {
			t.Fatalf("GET /_ping over npipe = %d %q", code, body)
		}
	}
	tr.CloseIdleConnections()
}

// TestNpipeCloseWrite checks the zero-byte message the daemon reads as EOF.
func TestNpipeCloseWrite(t *testing.T) {
	path := pipeServer(t, func(f *os.File) {
		b, err := io.ReadAll(f)
		if err == nil {
			f.Write(append([]byte("got:"), b...))
		}
	})
	ep, _ := Parse("npipe://" + path)
	c, err := ep.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "hello")
	if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); err == nil {
		t.Error("Write after CloseWrite succeeded")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(c)
	if string(b) != "got:hello" {
		t.Errorf("read %q, %v; want got:hello", b, err)
	}
}

func TestNpipeDeadline(t *testing.T) {
	path := pipeServer(t, func(f *os.File) { io.Copy(io.Discard, f) })
	ep, _ := Parse("npipe://" + path)
	c, err := ep.DialContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past deadline: %v, want os.ErrDeadlineExceeded", err)
	}
}

func TestNpipeMissing(t *testing.T) {
	ep, _ := Parse(`npipe:////./pipe/dialer-test-no-such-pipe`)
	_, err := ep.DialContext(context.Background())
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "is the Docker daemon running?") {
		t.Errorf("missing pipe: %v", err)
	}
}
