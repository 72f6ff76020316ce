//go:build !windows

package dialer

// DefaultHost is the daemon address used when neither DOCKER_HOST nor a
// Docker context names one: the daemon's standard unix socket.
const DefaultHost = "unix:///var/run/docker.sock"
