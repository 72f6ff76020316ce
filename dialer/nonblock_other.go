//go:build !unix

package dialer

import "net"

// setNonblock has nothing to do where sockets are not unix descriptors.
func setNonblock(net.Conn) error { return nil }
