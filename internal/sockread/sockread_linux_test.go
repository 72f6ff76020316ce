package sockread

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockerclient/docker/internal/leakcheck"
)

func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }

// rawPair returns the two ends of a unix socket, the client's end read
// through Reader.
func rawPair(t *testing.T) (client *rawReadConn, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("unix", filepath.Join(t.TempDir(), "s.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	conn, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { conn.Close(); server.Close() })
	rc, ok := Reader(conn).(*rawReadConn)
	if !ok {
		t.Fatal("a unix connection was not given the raw reader")
	}
	return rc, server
}

func TestRawReaderReadsWaitsAndEnds(t *testing.T) {
	c, server := rawPair(t)
	go func() {
		time.Sleep(20 * time.Millisecond) // the first Read waits in the poller
		server.Write([]byte("hello"))
		time.Sleep(20 * time.Millisecond)
		server.Write([]byte(", world"))
		server.Close()
	}()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "hello, world" {
		t.Fatalf("read %q, %v", got, err)
	}
}

func TestRawReaderDeadlineAndClose(t *testing.T) {
	c, _ := rawPair(t)
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := c.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("past the deadline: got %v", err)
	}
	c.SetReadDeadline(time.Time{})
	go func() {
		time.Sleep(20 * time.Millisecond)
		c.Close()
	}()
	if _, err := c.Read(make([]byte, 8)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("closed while reading: got %v", err)
	}
}

func TestRawReaderDoesNotAllocate(t *testing.T) {
	c, server := rawPair(t)
	buf := make([]byte, 64)
	msg := []byte("frame")
	allocs := testing.AllocsPerRun(100, func() {
		server.Write(msg)
		if n, err := io.ReadFull(c, buf[:len(msg)]); err != nil || n != len(msg) {
			t.Fatal(n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per write and read", allocs)
	}
}

// TestReaderLeavesOtherConnsAlone: a connection that is not one of the
// standard library's sockets (a caller's wrapper, say) keeps its own Read.
func TestReaderLeavesOtherConnsAlone(t *testing.T) {
	c, _ := rawPair(t)
	wrapped := struct{ net.Conn }{c.Conn}
	if got := Reader(wrapped); got != net.Conn(wrapped) {
		t.Fatalf("Reader wrapped a %T", wrapped)
	}
}

func TestRawReaderConcurrentReads(t *testing.T) {
	c, server := rawPair(t)
	const n = 200
	go func() {
		for i := 0; i < n; i++ {
			server.Write([]byte("x"))
		}
		server.Close()
	}()
	var wg sync.WaitGroup
	var total atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 3)
			for {
				k, err := c.Read(buf)
				total.Add(int64(k))
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if total.Load() != n {
		t.Fatalf("read %d bytes, want %d", total.Load(), n)
	}
}
