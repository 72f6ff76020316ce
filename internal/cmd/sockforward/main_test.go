package main

import (
	"bufio"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// unixServer answers each connection by reading it to its end (the client's half-close) and then writing back
// what it read, upper-cased.
func unixServer(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				b, _ := io.ReadAll(c)
				c.Write([]byte(strings.ToUpper(string(b))))
			}()
		}
	}()
	return path
}

func startForward(t *testing.T, path string) (addr string, done <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan error, 1)
	go func() { ch <- serve(l, path) }()
	t.Cleanup(func() {
		l.Close()
		select {
		case err := <-ch:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("serve did not return after its listener closed")
		}
	})
	return l.Addr().String(), ch
}

func TestForwardHalfClose(t *testing.T) {
	addr, _ := startForward(t, unixServer(t))
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte("hello, registry")); err != nil {
			t.Fatal(err)
		}
		// The server answers only after the end of input, which must pass through.
		if err := c.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(c)
		c.Close()
		if err != nil || string(got) != "HELLO, REGISTRY" {
			t.Fatalf("read %q, %v; want %q", got, err, "HELLO, REGISTRY")
		}
	}
}

func TestForwardNoSocket(t *testing.T) {
	addr, _ := startForward(t, filepath.Join(t.TempDir(), "missing.sock"))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	// Nothing to forward to: the connection is closed at once, without an answer.
	if line, err := bufio.NewReader(c).ReadString('\n'); err == nil || line != "" {
		t.Fatalf("read %q, %v; want EOF", line, err)
	}
}
