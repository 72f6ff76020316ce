package docker

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/dockerclient/docker/internal/jsoncodec"
)

// Error is what every operation of every version returns when the daemon
// answers with a status outside 2xx. Match it with errors.As, or its class
// with errors.Is against ErrNotFound, ErrConflict, ... (or IsNotFound, ...).
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
	return &Error{StatusCode: resp.StatusCode, Message: errorMessage(body), Op: op, APIVersion: version}
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
		if jsoncodec.Unmarshal(body, &m) == nil && m.Message != "" {
			return m.Message
		}
	}
	const maxText = 512
	s := strings.ToValidUTF8(string(body), "?")
	if len(s) > maxText {
		cut := maxText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a character (found by FuzzErrorMessage)
		}
		s = s[:cut] + "..."
	}
	return s
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

// JSONSyntaxError and JSONTypeError are what a response or stream message
// that cannot be decoded wraps: malformed JSON, or a value that does not
// fit its Go type (the error names the field). Match them with errors.As.
type (
	JSONSyntaxError = jsoncodec.SyntaxError
	JSONTypeError   = jsoncodec.TypeError
)
