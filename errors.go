package docker

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// Error is what every operation of every version returns when the daemon
// answers with a status outside 2xx. Match it with errors.As, or its class
// with errors.Is against ErrNotFound, ErrConflict, ... (or IsNotFound, ...).
//
// Message is safe to print whatever the daemon (or a proxy posing as one)
// sent: at most 4 KiB, control characters shown escaped (\x1b, \n), and
// any registry credential the request carried replaced by "[redacted]".
type Error struct {
	StatusCode int    // HTTP status, e.g. 404
	Message    string // the daemon's message, e.g. "No such container: web"
	Op         string // operationId, e.g. "ContainerInspect"
	APIVersion string // the API version the request was made with, e.g. "1.41"
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("docker: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		if e.APIVersion != "" {
			b.WriteString(" (API ")
			b.WriteString(e.APIVersion)
			b.WriteString(")")
		}
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is matches the class sentinels (ErrNotFound, ...) by status code.
func (e *Error) Is(target error) bool {
	c, ok := target.(statusClass)
	return ok && c.matches(e.StatusCode)
}

type statusClass struct {
	name string
	code int // 0 matches every 5xx
}

func (c statusClass) Error() string { return "docker: " + c.name }

func (c statusClass) matches(code int) bool {
	if c.code == 0 {
		return code >= 500 && code <= 599
	}
	return c.code == code
}

// Sentinels for errors.Is. Each matches an *Error with that status.
var (
	ErrBadRequest   error = statusClass{"bad request", http.StatusBadRequest}
	ErrUnauthorized error = statusClass{"unauthorized", http.StatusUnauthorized}
	ErrForbidden    error = statusClass{"forbidden", http.StatusForbidden}
	ErrNotFound     error = statusClass{"not found", http.StatusNotFound}
	ErrConflict     error = statusClass{"conflict", http.StatusConflict}
	ErrNotAvailable error = statusClass{"not available", http.StatusServiceUnavailable}
	ErrServer       error = statusClass{"server error", 0}
)

// IsNotFound reports whether err says the object does not exist (404).
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsConflict reports whether err is a 409, e.g. a name already in use or a
// running container that must be stopped first.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }

// IsBadRequest reports whether the daemon rejected the parameters (400).
func IsBadRequest(err error) bool { return errors.Is(err, ErrBadRequest) }

// IsServerError reports any 5xx: the daemon failed, not the request.
func IsServerError(err error) bool { return errors.Is(err, ErrServer) }

// IsUnauthorized reports a 401, typically from a registry.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }

// IsForbidden reports a 403.
func IsForbidden(err error) bool { return errors.Is(err, ErrForbidden) }

// IsNotAvailable reports a 503, e.g. a swarm operation on a node that is not
// a swarm manager.
func IsNotAvailable(err error) bool { return errors.Is(err, ErrNotAvailable) }

// maxErrorBody bounds how much of an error response is read: a daemon or a
// proxy in between may answer with anything.
const maxErrorBody = 1 << 20

// errorFromResponse reads (a bounded part of) a non-2xx response and closes
// its body.
func errorFromResponse(resp *http.Response, op, version string) error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return &Error{StatusCode: resp.StatusCode, Message: cleanMessage(errorMessage(body), requestSecrets(resp.Request)), Op: op, APIVersion: version}
}

// errorMessage extracts the daemon's {"message": "..."} or falls back to the
// body as text.
func errorMessage(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	if body[0] == '{' {
		var m struct {
			Message string `json:"message"`
		}
		if jsonwire.Unmarshal(body, &m) == nil && m.Message != "" {
			return m.Message
		}
	}
	return string(body)
}

// maxMessage bounds a message from the daemon that the SDK puts in an
// error: error bodies, in-band stream errors, error frames.
const maxMessage = 4 << 10

// redacted stands in for a secret that a server echoed back.
const redacted = "[redacted]"

// cleanMessage makes text from the daemon (or anything posing as one) safe
// to print: each secret the request carried is replaced, control characters
// (terminal escape sequences among them) are shown escaped, invalid UTF-8
// becomes '?', and the result is cut to maxMessage bytes.
func cleanMessage(text string, secrets []string) string {
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, redacted)
	}
	var b strings.Builder
	b.Grow(min(len(text), maxMessage+8))
	for _, r := range strings.ToValidUTF8(text, "?") {
		var esc string
		switch {
		case r == '\t' || !unicode.IsControl(r):
		case r == '\n':
			esc = `\n`
		case r == '\r':
			esc = `\r`
		case r < 0x100:
			esc = fmt.Sprintf(`\x%02x`, r)
		default:
			esc = fmt.Sprintf(`\u%04x`, r)
		}
		if b.Len()+max(len(esc), utf8.RuneLen(r)) > maxMessage {
			b.WriteString("...")
			break
		}
		if esc != "" {
			b.WriteString(esc)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// requestSecrets lists what a request carried that must never be shown
// back: its X-Registry-Auth and X-Registry-Config values, their decoded
// JSON, and the passwords and tokens in them. A daemon or proxy that
// echoes the header in an error would otherwise put them in logs.
func requestSecrets(req *http.Request) []string {
	if req == nil {
		return nil
	}
	var out []string
	add := func(s string) {
		if len(s) >= 4 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, name := range []string{"X-Registry-Auth", "X-Registry-Config"} {
		v := req.Header.Get(name)
		if v == "" {
			continue
		}
		add(v)
		raw, err := base64.URLEncoding.DecodeString(v)
		if err != nil {
			continue
		}
		add(string(raw))
		var one AuthConfig
		var many map[string]AuthConfig
		if name == "X-Registry-Auth" && jsonwire.Unmarshal(raw, &one) == nil {
			many = map[string]AuthConfig{"": one}
		} else if jsonwire.Unmarshal(raw, &many) != nil {
			continue
		}
		for _, a := range many {
			for _, s := range []string{a.Password, a.Auth, a.IdentityToken, a.RegistryToken} {
				add(s)
				if q, err := jsonwire.Marshal(s); err == nil {
					add(string(q[1 : len(q)-1])) // as it appears inside echoed JSON
				}
			}
		}
	}
	// Longest first, so that a secret inside another is not cut in two.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// ParamError says that an argument is missing or wrong. It is returned before
// anything is sent.
type ParamError struct {
	Op    string // operationId
	Param string // the parameter's name in the spec
	Msg   string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("docker: %s: parameter %q %s", e.Op, e.Param, e.Msg)
}
