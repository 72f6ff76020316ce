// Package imageref parses Docker image references ("busybox",
// "registry.example.com:5000/team/app:1.2@sha256:...") and normalises them
// as Docker does, so that names reported by different daemons can be
// compared: Docker lists an image as "busybox:latest" where Podman lists
// "docker.io/library/busybox:latest", and both name the same image.
//
// The grammar is that of github.com/distribution/reference, the package the
// Docker CLI and daemon use, with its ParseNormalizedNamed rules for names
// without a registry:
//
//	reference  := name [ ":" tag ] [ "@" digest ]
//	name       := [ domain "/" ] component { "/" component }
//	domain     := host [ ":" port ]   (first element holding "." or ":", or "localhost")
//	host       := dns-name | "[" ipv6 "]"
//	component  := alnum { separator alnum }   (lowercase; separator is ".", "_", "__" or "-"+)
//	tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//	digest     := algorithm ":" hex   (sha256: 64 hex, sha384: 96, sha512: 128)
//
// A name without a registry is on Docker Hub ("docker.io"), and a Docker Hub
// name of one component is an official image under "library/".
//
// Usage:
//
//	ref, err := imageref.Parse("busybox")
//	if err != nil {
//		return err
//	}
//	ref.Normalized() // "docker.io/library/busybox:latest"
//	ref.Familiar()   // "busybox"
//
//	same, err := imageref.Same("busybox:latest", "docker.io/library/busybox")
//	// same == true
package imageref

import (
	"errors"
	"fmt"
	"strings"
)

// Docker Hub's names, as the Docker CLI spells them.
const (
	// DefaultDomain is the registry of a name that has none.
	DefaultDomain = "docker.io"
	// LegacyDefaultDomain is Docker Hub's older name, read as DefaultDomain.
	LegacyDefaultDomain = "index.docker.io"
	// OfficialPrefix is the namespace of Docker Hub's official images: the
	// name "busybox" is "library/busybox" on Docker Hub.
	OfficialPrefix = "library/"
	// DefaultTag is the tag Docker pulls when a reference has neither tag
	// nor digest.
	DefaultTag = "latest"
	// NameMaxLength is the longest a normalised name (domain and path) may
	// be, as the registry API limits it.
	NameMaxLength = 255
)

// Reference is a parsed image reference. Domain and Path are always set
// (Parse fills in Docker Hub's defaults); Tag and Digest are empty when the
// reference had none, so that the short form can be given back as written.
//
// Two References compare equal with == only when written the same way after
// normalisation (a missing tag differs from ":latest"); use [Reference.Same]
// to ask whether they name the same image.
type Reference struct {
	// Domain is the registry, with its port if any: "docker.io",
	// "registry.example.com:5000", "localhost:5000", "[::1]:5000".
	Domain string
	// Path is the repository within the registry: "library/busybox",
	// "user/app".
	Path string
	// Tag is the tag without its ":", or "".
	Tag string
	// Digest is "algorithm:hex" without its "@", or "".
	Digest string
}

// Errors that a [ParseError] wraps, for errors.Is.
var (
	ErrEmpty             = errors.New("empty reference")
	ErrID                = errors.New("cannot specify 64-byte hexadecimal strings: that is an image ID, not a name")
	ErrUppercase         = errors.New("repository name must be lowercase")
	ErrNameTooLong       = fmt.Errorf("repository name must not be more than %d characters", NameMaxLength)
	ErrInvalidName       = errors.New("invalid repository name")
	ErrInvalidDomain     = errors.New("invalid registry host")
	ErrInvalidTag        = errors.New("invalid tag")
	ErrInvalidDigest     = errors.New("invalid digest")
	ErrUnsupportedDigest = errors.New("unsupported digest algorithm")
)

// ParseError reports a reference that Parse refused. Err is one of the Err*
// values above, possibly wrapped with detail.
type ParseError struct {
	Input string
	Err   error
}

func (e *ParseError) Error() string { return fmt.Sprintf("imageref: %q: %v", e.Input, e.Err) }

func (e *ParseError) Unwrap() error { return e.Err }

// Parse parses s as Docker parses an image reference given to "docker pull"
// or "docker run", and returns it normalised: the Domain and Path are filled
// in for Docker Hub ("busybox" is docker.io/library/busybox), and
// "index.docker.io" is read as "docker.io". The tag and digest are kept as
// written; a reference may carry both, as Docker accepts.
func Parse(s string) (Reference, error) {
	r, err := parse(s)
	if err != nil {
		return Reference{}, &ParseError{Input: s, Err: err}
	}
	return r, nil
}

func parse(s string) (Reference, error) {
	if s == "" {
		return Reference{}, ErrEmpty
	}
	if isHex(s, 64) {
		return Reference{}, ErrID
	}
	var r Reference
	name, digest, hasDigest := strings.Cut(s, "@")
	if hasDigest {
		if err := checkDigest(digest); err != nil {
			return Reference{}, err
		}
		r.Digest = digest
	}
	// The tag follows the last ":" unless a "/" comes after it, in which case
	// that ":" belongs to a registry's port (localhost:5000/app).
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i+1:], "/") {
		if err := checkTag(name[i+1:]); err != nil {
			return Reference{}, err
		}
		name, r.Tag = name[:i], name[i+1:]
	}
	if name == "" {
		return Reference{}, fmt.Errorf("%w: no name before the tag or digest", ErrInvalidName)
	}
	r.Domain, r.Path = splitDomain(name)
	if err := checkDomain(r.Domain); err != nil {
		return Reference{}, err
	}
	if err := checkPath(r.Path); err != nil {
		return Reference{}, err
	}
	if n := len(r.Domain) + 1 + len(r.Path); n > NameMaxLength {
		return Reference{}, fmt.Errorf("%w (%s/%s is %d)", ErrNameTooLong, r.Domain, r.Path, n)
	}
	return r, nil
}

// splitDomain applies Docker's rule: the first element is a registry when it
// is "localhost", holds a "." or ":" (a host name, an address, a port), or
// holds an uppercase letter (a repository path may not); otherwise the name
// is on Docker Hub, where a one-element name is an official image.
func splitDomain(name string) (domain, path string) {
	first, rest, ok := strings.Cut(name, "/")
	switch {
	case !ok:
		domain, path = DefaultDomain, name
	case first == "localhost" || strings.ContainsAny(first, ".:") || strings.ToLower(first) != first:
		domain, path = first, rest
	default:
		domain, path = DefaultDomain, name
	}
	if domain == LegacyDefaultDomain {
		domain = DefaultDomain
	}
	if domain == DefaultDomain && !strings.Contains(path, "/") {
		path = OfficialPrefix + path
	}
	return domain, path
}

// checkDomain checks host[:port], where host is a DNS name of letters,
// digits and inner hyphens (an IPv4 address is one), or an IPv6 address in
// brackets (without a zone, as distribution/reference allows).
func checkDomain(d string) error {
	host, port := d, ""
	if strings.HasPrefix(d, "[") {
		end := strings.IndexByte(d, ']')
		if end < 0 {
			return fmt.Errorf("%w %q: no closing bracket", ErrInvalidDomain, d)
		}
		host, port = d[:end+1], d[end+1:]
		if host == "[]" || strings.Trim(host[1:end], "0123456789abcdefABCDEF:") != "" {
			return fmt.Errorf("%w %q: an IPv6 address holds only hex digits and colons", ErrInvalidDomain, d)
		}
		if port != "" && port[0] != ':' {
			return fmt.Errorf("%w %q: only a port may follow the address", ErrInvalidDomain, d)
		}
	} else if i := strings.IndexByte(d, ':'); i >= 0 {
		host, port = d[:i], d[i:]
	}
	if port != "" {
		if p := port[1:]; p == "" || strings.Trim(p, "0123456789") != "" {
			return fmt.Errorf("%w %q: the port must be a number", ErrInvalidDomain, d)
		}
	}
	if strings.HasPrefix(host, "[") {
		return nil
	}
	for _, label := range strings.Split(host, ".") {
		if !isDomainLabel(label) {
			return fmt.Errorf("%w %q: %q is not a host name label", ErrInvalidDomain, d, label)
		}
	}
	return nil
}

func isDomainLabel(l string) bool {
	if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !isAlnum(c) && !('A' <= c && c <= 'Z') && c != '-' {
			return false
		}
	}
	return true
}

// checkPath checks the "/"-separated components of a repository path.
func checkPath(p string) error {
	if strings.ToLower(p) != p {
		return ErrUppercase
	}
	for _, c := range strings.Split(p, "/") {
		if c == "" {
			return fmt.Errorf("%w: empty path component (a \"/\" at the start or end, or doubled)", ErrInvalidName)
		}
		if !isComponent(c) {
			return fmt.Errorf("%w: component %q must be lowercase letters and digits, joined by \".\", \"_\", \"__\" or dashes", ErrInvalidName, c)
		}
	}
	return nil
}

// isComponent reports whether c is alnum runs joined by one separator each:
// ".", "_", "__" or any number of "-".
func isComponent(c string) bool {
	i := 0
	for {
		start := i
		for i < len(c) && isAlnum(c[i]) {
			i++
		}
		if i == start {
			return false // empty, or a separator at the start, end or twice
		}
		if i == len(c) {
			return true
		}
		switch {
		case c[i] == '.':
			i++
		case strings.HasPrefix(c[i:], "__"):
			i += 2
		case c[i] == '_':
			i++
		case c[i] == '-':
			for i < len(c) && c[i] == '-' {
				i++
			}
		default:
			return false
		}
	}
}

func checkTag(t string) error {
	if t == "" {
		return fmt.Errorf("%w: empty after \":\"", ErrInvalidTag)
	}
	if len(t) > 128 {
		return fmt.Errorf("%w: %d characters, at most 128", ErrInvalidTag, len(t))
	}
	if t[0] == '.' || t[0] == '-' {
		return fmt.Errorf("%w %q: must start with a letter, digit or \"_\"", ErrInvalidTag, t)
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; !isAlnum(c) && !('A' <= c && c <= 'Z') && c != '_' && c != '.' && c != '-' {
			return fmt.Errorf("%w %q: only letters, digits, \"_\", \".\" and \"-\"", ErrInvalidTag, t)
		}
	}
	return nil
}

// digestHexLength is the length of the hex part of each algorithm that
// go-digest, which Docker uses, can verify.
var digestHexLength = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

func checkDigest(d string) error {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || alg == "" || hex == "" {
		return fmt.Errorf("%w %q: want algorithm:hex, as sha256:<64 hex digits>", ErrInvalidDigest, d)
	}
	n, known := digestHexLength[alg]
	if !known {
		return fmt.Errorf("%w %q in %q: want sha256, sha384 or sha512", ErrUnsupportedDigest, alg, d)
	}
	if !isHex(hex, n) {
		return fmt.Errorf("%w %q: %s wants %d lowercase hex digits", ErrInvalidDigest, d, alg, n)
	}
	return nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9') && !('a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// Name is the repository's full name, without tag or digest:
// "docker.io/library/busybox".
func (r Reference) Name() string { return r.Domain + "/" + r.Path }

// String is the full form with the tag and digest as parsed, and nothing
// added: "docker.io/library/busybox" for "busybox", so that Parse(r.String())
// gives r back. Use [Reference.Normalized] for the form with Docker's default
// tag.
func (r Reference) String() string { return suffixed(r.Name(), r) }

// Normalized is the full form Docker pulls: String with ":latest" added when
// the reference has neither tag nor digest ("docker.io/library/busybox:latest"
// for "busybox"), as distribution/reference's TagNameOnly does. It is the
// form Podman lists images by.
func (r Reference) Normalized() string {
	if r.Tag == "" && r.Digest == "" {
		r.Tag = DefaultTag
	}
	return r.String()
}

// Familiar is Docker's short form, the one the docker CLI prints: Docker
// Hub's domain and its "library/" namespace are dropped ("busybox:latest",
// "user/app"), other registries kept. Nothing is added: "busybox" stays
// "busybox".
//
// Like Docker's, the short form of a Docker Hub path whose first component
// looks like a registry ("docker.io/example.com/app") parses back as that
// registry; use String where the form must parse back the same.
func (r Reference) Familiar() string {
	name := r.Name()
	if r.Domain == DefaultDomain {
		name = r.Path
		if rest, ok := strings.CutPrefix(name, OfficialPrefix); ok && !strings.Contains(rest, "/") {
			name = rest
		}
	}
	return suffixed(name, r)
}

func suffixed(name string, r Reference) string {
	if r.Tag != "" {
		name += ":" + r.Tag
	}
	if r.Digest != "" {
		name += "@" + r.Digest
	}
	return name
}

// Same reports whether r and o name the same image, as Docker would pull it:
// the names must match, and then the digests when either has one (Docker
// pulls by digest and ignores the tag beside it), or else the tags, a
// missing tag being "latest". A tag and a digest are never the same image:
// only a registry could say.
func (r Reference) Same(o Reference) bool {
	if r.Name() != o.Name() {
		return false
	}
	if r.Digest != "" || o.Digest != "" {
		return r.Digest == o.Digest
	}
	return r.withDefaultTag() == o.withDefaultTag()
}

func (r Reference) withDefaultTag() string {
	if r.Tag == "" {
		return DefaultTag
	}
	return r.Tag
}

// Same parses a and b and reports whether they name the same image (see
// [Reference.Same]): Same("busybox", "docker.io/library/busybox:latest") is
// true.
func Same(a, b string) (bool, error) {
	ra, err := Parse(a)
	if err != nil {
		return false, err
	}
	rb, err := Parse(b)
	if err != nil {
		return false, err
	}
	return ra.Same(rb), nil
}
