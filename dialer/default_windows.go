//go:build windows

package dialer

// DefaultHost is the daemon address used when neither DOCKER_HOST nor a
// Docker context names one: Docker's standard named pipe on Windows.
const DefaultHost = "npipe:////./pipe/docker_engine"
