package docker

import (
	"fmt"
	"strings"
	"time"
)

// ParseTime reads a timestamp as the daemon writes them (a container's
// Created, State.StartedAt and FinishedAt, an image's Created, ...): RFC 3339
// with or without fractions, or Go's time.String form that Podman writes in
// places. "" and the zero date ("0001-01-01T00:00:00Z", what the daemon sends
// for "never") give the zero time.Time and no error; anything else that is
// not a time is an error that quotes it, never a panic or a silent zero.
//
//	started, err := docker.ParseTime(info.State.StartedAt)
//	if err == nil && !started.IsZero() { ... }
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() <= 1 {
				return time.Time{}, nil
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("docker: %q is not a time the daemon writes (RFC 3339)", s[:min(len(s), 64)])
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999 -0700 MST", // time.Time.String, as Podman writes it
	"2006-01-02T15:04:05.999999999",           // no zone: read as UTC
}

// TimeParam formats t as the since and until parameters of SystemEvents,
// ContainerLogs, ServiceLogs and TaskLogs take it where they are strings:
// Unix seconds, a dot, nine digits of nanoseconds, so nothing below a second
// is lost. (Where a version types them as whole seconds, pass
// docker.Ptr(int(t.Unix())).)
func TimeParam(t time.Time) string { return SinceNano(t.UnixNano()) }
