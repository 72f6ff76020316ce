package docker

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawServer answers every connection with handle, after reading the
// request head, so that a test can misbehave below the HTTP library.
func rawServer(t *testing.T, handle func(c net.Conn, req *http.Request)) *Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if req.URL.Path == "/version" {
						io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 45\r\n\r\n"+
							`{"ApiVersion":"1.41","MinAPIVersion":"1.12"} `)
						continue
					}
					handle(c, req)
					return
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		close(done)
		wg.Wait()
	})
	cl, err := New(WithHost("tcp://" + ln.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	ch := make(chan struct{})
	go func() { f(); close(ch) }()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("still running after %s", d)
	}
}

func TestFaultsGiveClearErrorsWithinTheDeadline(t *testing.T) {
	cases := []struct {
		name   string
		handle func(c net.Conn, req *http.Request)
		want   string
	}{
		{"truncated JSON", func(c net.Conn, _ *http.Request) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Id\":\"abc\",\"Na")
		}, "unexpected EOF"},
		{"invalid JSON", func(c net.Conn, _ *http.Request) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"Id\":,}\n")
		}, "decoding response"},
		{"HTML instead of JSON", func(c net.Conn, _ *http.Request) {
			body := "<html><body>proxy says hi</body></html>"
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 39\r\n\r\n"+body)
		}, "decoding response"},
		{"connection reset", func(c net.Conn, _ *http.Request) {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			c.Close()
		}, "ContainerInspect"},
		{"broken chunked encoding", func(c net.Conn, _ *http.Request) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n")
		}, "reading response: invalid byte in chunk length"},
		{"stall", func(c net.Conn, _ *http.Request) {
			io.Copy(io.Discard, c) // answer nothing until the client gives up
		}, "context deadline exceeded"},
		{"error status with a huge body", func(c net.Conn, _ *http.Request) {
			io.WriteString(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 8388608\r\n\r\n")
			c.Write([]byte(strings.Repeat("e", 8<<20)))
		}, "500 Internal Server Error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := rawServer(t, tc.handle)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			var err error
			within(t, 5*time.Second, func() {
				var out map[string]any
				r := NewRequest("ContainerInspect", "1.41", "GET", "/containers/{id}/json")
				r.PathParam("id", "x")
				err = c.DoJSON(ctx, r, &out)
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
			if len(err.Error()) > 4096+256 {
				t.Fatalf("error message of %d bytes", len(err.Error()))
			}
		})
	}
}

func TestDaemonDisappearingMidStream(t *testing.T) {
	c := rawServer(t, func(c net.Conn, _ *http.Request) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
		frame := "\x01\x00\x00\x00\x00\x00\x00\x06hello\n"
		io.WriteString(c, "e\r\n"+frame+"\r\n")
		// A frame header promising 100 bytes, then the daemon is gone.
		io.WriteString(c, "b\r\n\x01\x00\x00\x00\x00\x00\x00\x64abc\r\n")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r := NewRequest("ContainerLogs", "1.41", "GET", "/containers/{id}/logs")
	r.PathParam("id", "x")
	resp, err := c.Do(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	out := NewOutput(resp)
	defer out.Close()
	var stdout strings.Builder
	within(t, 5*time.Second, func() { err = out.Demux(&stdout, io.Discard) })
	if err == nil {
		t.Fatal("a stream cut mid-frame ended without an error")
	}
	if !strings.HasPrefix(stdout.String(), "hello\n") {
		t.Fatalf("output before the cut was lost: %q", stdout.String())
	}
}

func TestHijackRefusedOrCut(t *testing.T) {
	cases := []struct {
		name   string
		handle func(c net.Conn, req *http.Request)
		want   string
	}{
		{"error instead of upgrade", func(c net.Conn, _ *http.Request) {
			io.WriteString(c, "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: 37\r\n\r\n"+`{"message":"container is not running"}`)
		}, "container is not running"},
		{"closed before answering", func(c net.Conn, _ *http.Request) {}, "closed the connection before answering"},
		{"upgrade to something else", func(c net.Conn, _ *http.Request) {
			io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
		}, `upgraded to "h2c"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := rawServer(t, tc.handle)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			r := NewRequest("ContainerAttach", "1.41", "POST", "/containers/{id}/attach")
			r.PathParam("id", "x")
			var err error
			within(t, 5*time.Second, func() {
				var conn *HijackedConn
				conn, err = c.Hijack(ctx, r)
				if conn != nil {
					conn.Close()
				}
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestCancelEndsAStalledStream(t *testing.T) {
	c := rawServer(t, func(c net.Conn, _ *http.Request) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
		io.WriteString(c, "10\r\n{\"status\":\"a\"}\n\r\n")
		io.Copy(io.Discard, c) // then nothing: a daemon with no events to report
	})
	ctx, cancel := context.WithCancel(context.Background())
	r := NewRequest("SystemEvents", "1.41", "GET", "/events")
	resp, err := c.Do(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	s := NewJSONStream[JSONMessage](resp, "SystemEvents")
	defer s.Close()
	if !s.Next() || s.Value().Status != "a" {
		t.Fatalf("first message: %v", s.Err())
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	within(t, 2*time.Second, func() {
		if s.Next() {
			t.Error("a message arrived from a stalled stream")
		}
	})
	if err := s.Err(); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Err = %v, want context.Canceled", err)
	}
}
