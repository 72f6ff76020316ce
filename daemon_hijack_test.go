package docker_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dialer"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v141"
)

// The daemon listens on its unix socket only. To attach and exec over TCP
// and TLS, a proxy on 127.0.0.1 forwards to the socket, passing a
// half-close on in each direction: EOF from the client (a TCP FIN, or a TLS
// close_notify) becomes CloseWrite on the socket, and the daemon's EOF
// becomes CloseWrite towards the client.

type closeWriter interface{ CloseWrite() error }

// startProxy serves 127.0.0.1:0 (with TLS when cfg is set) and forwards
// every connection to the unix socket sock.
func startProxy(t *testing.T, sock string, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
	)
	track := func(c net.Conn, on bool) {
		mu.Lock()
		defer mu.Unlock()
		if on {
			conns[c] = true
		} else {
			delete(conns, c)
		}
	}
	halfClose := func(c net.Conn) {
		if cw, ok := c.(closeWriter); ok {
			cw.CloseWrite() // *tls.Conn: close_notify
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := net.Dial("unix", sock)
				if err != nil {
					c.Close()
					return
				}
				track(c, true)
				track(u, true)
				var both sync.WaitGroup
				both.Add(2)
				go func() { defer both.Done(); io.Copy(u, c); halfClose(u) }()
				go func() { defer both.Done(); io.Copy(c, u); halfClose(c) }()
				both.Wait()
				c.Close()
				u.Close()
				track(c, false)
				track(u, false)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return addr
}

// testCert makes a self-signed certificate for 127.0.0.1.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "dockersdk test daemon"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// transports returns the daemon reached over its unix socket, over TCP and
// over TLS (through proxies).
func transports(t *testing.T) map[string]*daemon {
	t.Helper()
	unix := newDaemon(t)
	sock := testdaemon.SocketPath(unix.host)

	tcpAddr := startProxy(t, sock, nil)
	tcp := newDaemon(t, docker.WithHost("tcp://"+tcpAddr))

	cert, pool := testCert(t)
	tlsAddr := startProxy(t, sock, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	ep, err := dialer.Parse("tcp://" + tlsAddr)
	if err != nil {
		t.Fatal(err)
	}
	if ep, err = ep.WithTLS(tlsConfig(pool)); err != nil {
		t.Fatal(err)
	}
	tlsd := newDaemon(t, docker.WithEndpoint(ep))
	return map[string]*daemon{"unix": unix, "tcp": tcp, "tls": tlsd}
}

// stdinPayload is large enough to fill socket buffers on the way.
var stdinPayload = func() string {
	var b strings.Builder
	for i := 0; b.Len() < 256<<10; i++ {
		fmt.Fprintf(&b, "stdin line %d\n", i)
	}
	return b.String()
}()

// feed writes stdin in the background and half-closes; the returned
// channel gives the first error.
func feed(h *docker.HijackedConn, stdin string) chan error {
	errc := make(chan error, 1)
	go func() {
		if _, err := io.WriteString(h, stdin); err != nil {
			errc <- err
			return
		}
		errc <- h.CloseWrite()
	}()
	return errc
}

// TestDaemonAttachStdinCloseWrite: attach to a container running `cat`,
// send it 256 KiB on stdin, half-close: cat sees EOF and exits, and all of
// its output (and what the shell writes to stderr after) still arrives;
// over unix, TCP and TLS. No goroutine outlives the connection.
func TestDaemonAttachStdinCloseWrite(t *testing.T) {
	for name, d := range transports(t) {
		t.Run(name, func(t *testing.T) {
			id := d.create(t, v141.ContainerCreateRequest{
				Cmd:       []string{"sh", "-c", "cat; echo stdin closed >&2"},
				OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true,
			})
			before := goroutines()
			ctx := ctxTimeout(t, time.Minute)
			h, err := d.api.ContainerAttach(ctx, id, v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			d.start(t, id)
			errc := feed(h, stdinPayload)
			var out, errb bytes.Buffer
			o := h.Output()
			if err := o.Demux(&out, &errb); err != nil {
				t.Fatal(err)
			}
			if err := <-errc; err != nil {
				t.Fatalf("stdin: %v", err)
			}
			if o.TTY || out.String() != stdinPayload || errb.String() != "stdin closed\n" {
				t.Fatalf("TTY %v, stdout %d bytes (want %d), stderr %q", o.TTY, out.Len(), len(stdinPayload), errb.String())
			}
			w, err := d.api.ContainerWait(ctx, id, v141.ContainerWaitOptions{})
			if err != nil || w.StatusCode != 0 {
				t.Fatalf("wait: %+v, %v", w, err)
			}
			h.Close()
			checkGoroutines(t, d.c, before)
		})
	}
}

// TestDaemonAttachTTY: attach to a TTY container. API 1.41 does not say the
// stream is raw; the SDK learns it from one inspect of the container. ^D
// ends cat's input (a TTY's EOF), so stdin is left open.
func TestDaemonAttachTTY(t *testing.T) {
	d := newDaemon(t)
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"cat"}, TTY: true, OpenStdin: true, StdinOnce: true,
		AttachStdin: true, AttachStdout: true, AttachStderr: true})
	ctx := ctxTimeout(t, time.Minute)
	h, err := d.api.ContainerAttach(ctx, id, v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	d.start(t, id)
	if _, err := io.WriteString(h, "hello tty\n\x04"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o := h.Output()
	if err := o.Demux(&out, nil); err != nil {
		t.Fatal(err)
	}
	if !o.TTY || out.String() != "hello tty\r\nhello tty\r\n" {
		t.Fatalf("TTY %v, output %q", o.TTY, out.String())
	}
}

// TestDaemonExec: exec without a TTY (stdin, half-close, separate stdout
// and stderr, exit code) over every transport, and with a TTY.
func TestDaemonExec(t *testing.T) {
	for name, d := range transports(t) {
		t.Run(name, func(t *testing.T) {
			id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"sleep", "300"}})
			d.start(t, id)
			ctx := ctxTimeout(t, time.Minute)
			ex, err := d.api.ContainerExec(ctx, id, v141.ContainerExecOptions{Body: v141.ContainerExecRequest{
				Cmd:         []string{"sh", "-c", "cat; echo exec stderr >&2; exit 4"},
				AttachStdin: true, AttachStdout: true, AttachStderr: true,
			}})
			if err != nil {
				t.Fatal(err)
			}
			before := goroutines()
			h, err := d.api.ExecStart(ctx, ex.ID, v141.ExecStartOptions{Body: &v141.ExecStartRequest{}})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			errc := feed(h, stdinPayload)
			var out, errb bytes.Buffer
			if err := h.Output().Demux(&out, &errb); err != nil {
				t.Fatal(err)
			}
			if err := <-errc; err != nil {
				t.Fatalf("stdin: %v", err)
			}
			if out.String() != stdinPayload || errb.String() != "exec stderr\n" {
				t.Fatalf("stdout %d bytes (want %d), stderr %q", out.Len(), len(stdinPayload), errb.String())
			}
			h.Close()
			checkGoroutines(t, d.c, before)
			if code := execExit(t, d, ex.ID); code != 4 {
				t.Fatalf("exit code %d, want 4", code)
			}
		})
	}

	t.Run("detached", func(t *testing.T) {
		d := newDaemon(t)
		id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"sleep", "300"}})
		d.start(t, id)
		ctx := ctxTimeout(t, time.Minute)
		ex, err := d.api.ContainerExec(ctx, id, v141.ContainerExecOptions{Body: v141.ContainerExecRequest{Cmd: []string{"sh", "-c", "exit 6"}}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := d.api.ExecStart(ctx, ex.ID, v141.ExecStartOptions{Body: &v141.ExecStartRequest{Detach: true}})
		if err != nil {
			t.Fatal(err)
		}
		// The daemon answers 200 with an empty body and keeps the
		// connection: reading ends at once.
		done := make(chan error, 1)
		go func() { _, err := io.ReadAll(h); done <- err }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("reading a detached exec did not end")
		}
		h.Close()
		if code := execExit(t, d, ex.ID); code != 6 {
			t.Fatalf("exit code %d, want 6", code)
		}
	})

	t.Run("tty", func(t *testing.T) {
		d := newDaemon(t)
		id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"sleep", "300"}})
		d.start(t, id)
		ctx := ctxTimeout(t, time.Minute)
		ex, err := d.api.ContainerExec(ctx, id, v141.ContainerExecOptions{Body: v141.ContainerExecRequest{
			Cmd: []string{"sh", "-c", "printf 'on '; tty; cat; exit 5"}, TTY: true,
			AttachStdin: true, AttachStdout: true, AttachStderr: true,
		}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := d.api.ExecStart(ctx, ex.ID, v141.ExecStartOptions{Body: &v141.ExecStartRequest{TTY: true}})
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		if !h.TTY {
			t.Fatal("ExecStart with Tty did not mark the connection TTY")
		}
		// Wait for the shell's first line before typing: the TTY echoes
		// input at once, which could otherwise come before it.
		var out bytes.Buffer
		buf := make([]byte, 256)
		for !strings.Contains(out.String(), "\r\n") {
			n, err := h.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				t.Fatalf("reading the first line: %v (so far %q)", err, out.String())
			}
		}
		// A TTY's end of input is ^D; closing stdin would end the output
		// stream too.
		if _, err := io.WriteString(h, "typed\n\x04"); err != nil {
			t.Fatal(err)
		}
		if err := h.Output().Demux(&out, nil); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), "on /dev/pts/") || !strings.HasSuffix(out.String(), "typed\r\ntyped\r\n") {
			t.Fatalf("output %q", out.String())
		}
		if code := execExit(t, d, ex.ID); code != 5 {
			t.Fatalf("exit code %d, want 5", code)
		}
	})
}

// execExit waits for an exec to finish and returns its exit code.
func execExit(t *testing.T, d *daemon, id string) int {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		in, err := d.api.ExecInspect(ctxTimeout(t, time.Minute), id)
		if err != nil {
			t.Fatal(err)
		}
		if !in.Running {
			return in.ExitCode
		}
		if time.Now().After(deadline) {
			t.Fatal("exec still running")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDaemonAttachCancel: cancelling the context of an attach to a
// container that says nothing ends the read at once and releases
// everything.
func TestDaemonAttachCancel(t *testing.T) {
	d := newDaemon(t)
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"sleep", "300"}, OpenStdin: true,
		AttachStdin: true, AttachStdout: true, AttachStderr: true})
	d.start(t, id)
	before := goroutines()
	ctx, cancel := context.WithCancel(context.Background())
	h, err := d.api.ContainerAttach(ctx, id, v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.Output().Demux(io.Discard, io.Discard) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancel did not end the attach")
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	checkGoroutines(t, d.c, before)
}

// TestDaemonSessionUpgrades: POST /session upgrades to h2c (BuildKit's
// session endpoint refuses tcp). What follows is HTTP/2, which is the
// caller's to speak.
func TestDaemonSessionUpgrades(t *testing.T) {
	d := newDaemon(t)
	h, err := d.api.Session(ctxTimeout(t, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.Header.Get("Upgrade") != "h2c" {
		t.Fatalf("upgraded with headers %v", h.Header)
	}
}
