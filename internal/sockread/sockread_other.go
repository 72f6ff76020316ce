//go:build !linux

package sockread

import "net"

// Reader is a Linux optimisation (see sockread_linux.go); elsewhere the
// connection reads as it is.
func Reader(conn net.Conn) net.Conn { return conn }
