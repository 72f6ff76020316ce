package docker

import (
	"fmt"
	"strconv"
	"strings"
)

// MinAPIVersion and MaxAPIVersion are generated from specs/ (versions_gen.go).

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
	switch {
	case r.Max == "" && r.Min == "":
		return "unknown versions"
	case r.Max == "":
		return r.Min + " and newer"
	case r.Min == "":
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

// VersionError says that a call cannot be made with the API version it was
// to use: the daemon does not accept that version, or the operation does not
// exist in it. Its fields say which versions would do.
type VersionError struct {
	Op     string       // the operation, when one was being called
	Want   string       // the API version the call was to use, e.g. "1.41"
	Daemon VersionRange // what the daemon accepts; empty when it was not asked
	// OpVersions is the range of versions the operation exists in, when Want
	// lacks it (VolumeUpdate: 1.42 to the newest); empty otherwise.
	OpVersions VersionRange
}

func (e *VersionError) Error() string {
	var b strings.Builder
	b.WriteString("docker: ")
	switch {
	case e.OpVersions.Max != "" && e.Want != "" && CompareVersions(e.Want, e.OpVersions.Min) < 0:
		fmt.Fprintf(&b, "%s needs API v%s or newer; the call was to use v%s", e.Op, e.OpVersions.Min, e.Want)
	case e.OpVersions.Max != "":
		fmt.Fprintf(&b, "%s exists in API v%s to v%s only; the call was to use v%s", e.Op, e.OpVersions.Min, e.OpVersions.Max, e.Want)
	case e.Want == "":
		fmt.Fprintf(&b, "no API version in common: the daemon speaks %s, this SDK speaks %s to %s", e.Daemon, MinAPIVersion, MaxAPIVersion)
		return b.String()
	default:
		if e.Op != "" {
			b.WriteString(e.Op + ": ")
		}
		fmt.Fprintf(&b, "API v%s is not accepted by the daemon", e.Want)
	}
	if e.Daemon != (VersionRange{}) {
		fmt.Fprintf(&b, " (the daemon speaks %s; this SDK %s to %s)", e.Daemon, MinAPIVersion, MaxAPIVersion)
	}
	return b.String()
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
		return "", &VersionError{Daemon: daemon}
	}
	return hi.String(), nil
}
