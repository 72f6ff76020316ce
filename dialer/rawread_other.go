//go:build !linux

package dialer

import "net"

// rawReader is a Linux optimisation (see rawread_linux.go); elsewhere the
// connection reads as it is.
func rawReader(conn net.Conn) net.Conn { return conn }
