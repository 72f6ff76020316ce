//go:build !windows

package dialer

import (
	"context"
	"errors"
	"net"
)

// dialPipe fails: named pipes exist only on Windows.
func dialPipe(ctx context.Context, path string) (net.Conn, error) {
	return nil, errors.New("npipe:// hosts are Windows named pipes and can only be dialed on Windows; use unix:///var/run/docker.sock, tcp:// or ssh:// here")
}
