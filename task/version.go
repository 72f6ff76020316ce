package task

import (
	"context"

	"github.com/dockerclient/docker"
)

// apiVersion is the version a call uses: pinned, else the client's.
func apiVersion(ctx context.Context, c *docker.Client, pinned string) (string, error) {
	if pinned != "" {
		return pinned, nil
	}
	return c.Negotiate(ctx)
}

// atLeast reports whether API version v is min or newer.
func atLeast(v, min string) bool { return docker.CompareVersions(v, min) >= 0 }

// Operations renamed in API 1.28, and the wait condition added in 1.30.
const (
	archiveRenamed = "1.28"
	waitCondition  = "1.30"
)

// archiveOp picks an archive operation's name: newName from API 1.28,
// oldName before.
func archiveOp(v, newName, oldName string) string {
	if atLeast(v, archiveRenamed) {
		return newName
	}
	return oldName
}
