//go:build unix

package dialer

import (
	"net"
	"syscall"
)

// setNonblock puts the socket under c, when c exposes one, in non-blocking
// mode, which the runtime's network poller expects of it.
func setNonblock(c net.Conn) error {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil // not a descriptor-backed connection
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), true) }); err != nil {
		return err
	}
	return serr
}
