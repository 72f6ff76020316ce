//go:build windows && !go1.25

package dialer

import (
	"context"
	"errors"
	"net"
)

// dialPipe fails on toolchains before Go 1.25: their os.File cannot do
// overlapped I/O, and a synchronous pipe handle serialises reads and writes,
// which deadlocks HTTP on a single connection.
func dialPipe(ctx context.Context, path string) (net.Conn, error) {
	return nil, errors.New("npipe:// needs a program built with Go 1.25 or newer (overlapped I/O in os.NewFile); rebuild with a newer toolchain or use tcp://")
}
