package docker

import (
	"fmt"
	"strconv"
	"strings"
)

// The range of Engine API versions this SDK has a package for.
const (
	MinAPIVersion = "1.25"
	MaxAPIVersion = "1.56"
)

// apiVersion is an Engine API version such as 1.41, kept as its minor number
// because every version this SDK knows has major version 1.
type apiVersion int

func parseAPIVersion(s string) (apiVersion, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	major, minor, ok := strings.Cut(s, ".")
	if !ok || major != "1" {
		return 0, fmt.Errorf("docker: %q is not an Engine API version (want 1.NN)", s)
	}
	n, err := strconv.Atoi(minor)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("docker: %q is not an Engine API version (want 1.NN)", s)
	}
	return apiVersion(n), nil
}

func (v apiVersion) String() string { return "1." + strconv.Itoa(int(v)) }

var (
	sdkMinVersion = mustVersion(MinAPIVersion)
	sdkMaxVersion = mustVersion(MaxAPIVersion)
)

func mustVersion(s string) apiVersion {
	v, err := parseAPIVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// CompareVersions compares two API versions such as "1.41" and "1.9": it
// returns -1, 0 or +1. Versions that do not parse compare as strings.
func CompareVersions(a, b string) int {
	va, errA := parseAPIVersion(a)
	vb, errB := parseAPIVersion(b)
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	switch {
	case va < vb:
		return -1
	case va > vb:
		return 1
	}
	return 0
}

// VersionRange is the span of API versions a daemon accepts.
type VersionRange struct {
	Min string // MinAPIVersion from /version; "" when the daemon did not say
	Max string // ApiVersion from /version, or the API-Version header of /_ping
}

func (r VersionRange) String() string {
	if r.Min == "" {
		return "up to " + r.Max
	}
	return r.Min + " to " + r.Max
}

// Contains reports whether the daemon accepts version v.
func (r VersionRange) Contains(v string) bool {
	if r.Max != "" && CompareVersions(v, r.Max) > 0 {
		return false
	}
	if r.Min != "" && CompareVersions(v, r.Min) < 0 {
		return false
	}
	return true
}

// VersionError says that the daemon does not accept the API version asked
// for, and which versions both sides speak instead.
type VersionError struct {
	Want   string       // the version asked for
	Daemon VersionRange // what the daemon accepts
	Op     string       // the operation, when one was being called
	Reason string       // optional detail
}

func (e *VersionError) Error() string {
	msg := "docker: "
	if e.Op != "" {
		msg += e.Op + ": "
	}
	if e.Reason != "" {
		return msg + e.Reason
	}
	return fmt.Sprintf("%sAPI version %s is not accepted by the daemon, which speaks %s (this SDK speaks %s to %s)",
		msg, e.Want, e.Daemon, MinAPIVersion, MaxAPIVersion)
}

// Negotiate picks the newest API version that both the daemon and this SDK
// speak. It fails, naming both ranges, only when they do not overlap.
func Negotiate(daemon VersionRange) (string, error) {
	hi := sdkMaxVersion
	if daemon.Max != "" {
		v, err := parseAPIVersion(daemon.Max)
		if err != nil {
			return "", fmt.Errorf("docker: daemon reported API version %q: %w", daemon.Max, err)
		}
		hi = min(hi, v)
	}
	lo := sdkMinVersion
	if daemon.Min != "" {
		v, err := parseAPIVersion(daemon.Min)
		if err != nil {
			return "", fmt.Errorf("docker: daemon reported minimum API version %q: %w", daemon.Min, err)
		}
		lo = max(lo, v)
	}
	if hi < lo {
		return "", &VersionError{Daemon: daemon, Reason: fmt.Sprintf(
			"no API version in common: the daemon speaks %s, this SDK speaks %s to %s",
			daemon, MinAPIVersion, MaxAPIVersion)}
	}
	return hi.String(), nil
}
