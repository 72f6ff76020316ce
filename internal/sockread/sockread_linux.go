// Package sockread reads local sockets with less scheduler overhead; see
// Reader.
package sockread

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// Reader gives a local socket a Read that costs the Go scheduler less: use
// it for reading only (the result hides methods such as CloseWrite).
//
// A daemon streaming logs flushes every frame (about 1 KiB), so a reader
// that keeps up wakes once per frame. Profiled (docs/benchmarks.md), over a
// quarter of the reading process's CPU went to the runtime's system-call
// bookkeeping around each read: the read enters a blocking-syscall section,
// which wakes the sleeping sysmon thread through a futex, which then runs
// and sleeps again. The socket is non-blocking, so its read never blocks:
// making it as a raw system call skips that section. A read that finds no
// data returns EAGAIN, and the goroutine waits in the network poller as it
// would otherwise, deadlines included.
//
// Only the standard library's own socket types are read this way: a
// connection from a caller's dial function may wrap one (counting bytes,
// buffering a proxy's handshake) and must be read through its own Read.
func Reader(conn net.Conn) net.Conn {
	var sc syscall.Conn
	switch c := conn.(type) {
	case *net.UnixConn:
		sc = c
	case *net.TCPConn:
		sc = c
	default:
		return conn
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return conn
	}
	c := &rawReadConn{Conn: conn, rc: rc}
	c.readFn = c.read // one method value, so that Read does not allocate
	return c
}

type rawReadConn struct {
	net.Conn
	rc     syscall.RawConn
	readFn func(fd uintptr) bool

	// mu makes concurrent Reads take turns, as they would on the socket
	// itself, since they share the fields below.
	mu sync.Mutex
	// The current Read's buffer and result, for readFn.
	p   []byte
	n   int
	err error
}

func (c *rawReadConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.p, c.n, c.err = p, 0, nil
	err := c.rc.Read(c.readFn) // a deadline or Close ends the wait with an error
	c.p = nil
	if err != nil {
		return 0, err
	}
	return c.n, c.err
}

// read is called by the poller with the socket's descriptor; false means
// "no data yet, wait for the socket to be readable and call again".
func (c *rawReadConn) read(fd uintptr) bool {
	for {
		r, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.p[0])), uintptr(len(c.p)))
		switch errno {
		case 0:
			c.n = int(r)
			if r == 0 {
				c.err = io.EOF
			}
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.err = &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("read", errno)}
		return true
	}
}
