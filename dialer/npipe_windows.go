//go:build windows && go1.25

package dialer

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	// CreateFile flags: let the daemon identify this client but never act
	// as it (no impersonation), and use overlapped I/O so that reads and
	// writes can be in flight at once and deadlines work.
	securitySQOSPresent    = 0x00100000
	securityIdentification = 0x00010000

	errorPipeBusy syscall.Errno = 231 // ERROR_PIPE_BUSY: all instances are in use

	pipeBusyRetry      = 10 * time.Millisecond
	defaultPipeTimeout = 30 * time.Second
)

// dialPipe opens the named pipe, retrying while every instance is busy until
// ctx ends (or 30 s when ctx has no deadline).
//
// The handle is opened for overlapped I/O and handed to os.NewFile, which
// since Go 1.25 attaches such handles to the runtime's I/O completion port:
// reads and writes do not block threads or each other, and deadlines work.
func dialPipe(ctx context.Context, path string) (net.Conn, error) {
	name, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultPipeTimeout)
		defer cancel()
	}
	for {
		h, err := syscall.CreateFile(name,
			syscall.GENERIC_READ|syscall.GENERIC_WRITE,
			0, nil, syscall.OPEN_EXISTING,
			syscall.FILE_FLAG_OVERLAPPED|securitySQOSPresent|securityIdentification, 0)
		if err == nil {
			f := os.NewFile(uintptr(h), path)
			return &pipeConn{f: f, addr: cmdAddr{"npipe", path}}, nil
		}
		if err != errorPipeBusy {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		t := time.NewTimer(pipeBusyRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// pipeConn is a net.Conn over a client handle of a named pipe.
type pipeConn struct {
	f           *os.File
	addr        cmdAddr
	writeClosed atomic.Bool
	wOnce       sync.Once
}

func (c *pipeConn) Read(b []byte) (int, error) { return c.f.Read(b) }

func (c *pipeConn) Write(b []byte) (int, error) {
	if c.writeClosed.Load() {
		return 0, &net.OpError{Op: "write", Net: "npipe", Addr: c.addr, Err: errors.New("write after CloseWrite")}
	}
	return c.f.Write(b)
}

// CloseWrite sends a zero-byte message, which the daemon's message-mode pipe
// (go-winio) reads as end of input; the handle stays open for reading.
func (c *pipeConn) CloseWrite() error {
	var err error
	c.wOnce.Do(func() {
		c.writeClosed.Store(true)
		_, err = c.f.Write(nil)
	})
	return err
}

func (c *pipeConn) Close() error         { return c.f.Close() }
func (c *pipeConn) LocalAddr() net.Addr  { return c.addr }
func (c *pipeConn) RemoteAddr() net.Addr { return c.addr }

func (c *pipeConn) SetDeadline(t time.Time) error {
	return ignoreNoDeadline(c.f.SetDeadline(t))
}

func (c *pipeConn) SetReadDeadline(t time.Time) error {
	return ignoreNoDeadline(c.f.SetReadDeadline(t))
}

func (c *pipeConn) SetWriteDeadline(t time.Time) error {
	return ignoreNoDeadline(c.f.SetWriteDeadline(t))
}
