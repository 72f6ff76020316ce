package gensupport

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// Request describes one API call. Generated methods build it and hand it to
// a Runtime.
//
// Every setter skips a value the caller did not set (a nil pointer, an empty
// string, slice or map, a false bool), so an optional parameter is sent only
// when it was given: ContainerStop's t=0 is sent only from a non-nil *int.
type Request struct {
	Op          string // operationId, for errors
	APIVersion  string // e.g. "1.41"; the path is prefixed with /v1.41
	Method      string
	Path        string // a template such as /containers/{id}/json
	ContentType string
	Body        io.Reader

	pathParams []pathParam
	query      []byte // already encoded, in the order parameters were set
	header     [][2]string
	jsonBody   any
	hasJSON    bool
	err        *ArgError // the first bad argument; reported before sending
}

// ArgError is the first bad argument of a Request; the runtime reports it
// as a *docker.ParamError before anything is sent.
type ArgError struct {
	Param string // the parameter's name in the spec
	Msg   string
}

// Err returns the first bad argument, or nil.
func (r *Request) Err() *ArgError { return r.err }

type pathParam struct{ name, value string }

// NewRequest starts a request for operation op of API version apiVersion.
func NewRequest(op, apiVersion, method, path string) *Request {
	return &Request{Op: op, APIVersion: apiVersion, Method: method, Path: path}
}

// Fail records a bad argument, unless one was recorded already.
func (r *Request) Fail(param, msg string) {
	if r.err == nil {
		r.err = &ArgError{Param: param, Msg: msg}
	}
}

// PathParam fills {name} in the path. An empty value is an error: it would
// address a different endpoint.
func (r *Request) PathParam(name, value string) {
	if value == "" {
		r.Fail(name, "is required and must not be empty")
		return
	}
	r.pathParams = append(r.pathParams, pathParam{name, value})
}

// URLPath returns the path with the version prefix and path parameters.
// It does not look at Err: the runtime checks that first.
func (r *Request) URLPath() (string, error) {
	var b strings.Builder
	b.Grow(len(r.Path) + 8 + 64)
	if r.APIVersion != "" {
		b.WriteString("/v")
		b.WriteString(r.APIVersion)
	}
	p := r.Path
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			break
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("docker: %s: malformed path template %q", r.Op, r.Path)
		}
		b.WriteString(p[:i])
		name := p[i+1 : i+j]
		value, ok := r.pathValue(name)
		if !ok {
			return "", fmt.Errorf("docker: %s: parameter %q is required", r.Op, name)
		}
		// Names such as image references keep their slashes: the daemon
		// routes /images/{name}/json with a greedy match.
		b.WriteString(escapePathValue(value))
		p = p[i+j+1:]
	}
	return b.String(), nil
}

// PathValue returns the value given for path parameter name.
func (r *Request) PathValue(name string) (string, bool) { return r.pathValue(name) }

func (r *Request) pathValue(name string) (string, bool) {
	for _, p := range r.pathParams {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

func escapePathValue(s string) string {
	esc := url.PathEscape(s)
	if strings.Contains(esc, "%2F") {
		esc = strings.ReplaceAll(esc, "%2F", "/")
	}
	return esc
}

// RawQuery returns the encoded query string.
func (r *Request) RawQuery() string { return string(r.query) }

// AddQuery appends name=value, even when value is empty.
func (r *Request) AddQuery(name, value string) {
	if len(r.query) > 0 {
		r.query = append(r.query, '&')
	}
	r.query = append(r.query, url.QueryEscape(name)...)
	r.query = append(r.query, '=')
	r.query = append(r.query, url.QueryEscape(value)...)
}

// Query sets a string parameter when it is not empty.
func (r *Request) Query(name, value string) {
	if value != "" {
		r.AddQuery(name, value)
	}
}

// QueryRequired sets a required string parameter; empty is an error.
func (r *Request) QueryRequired(name, value string) {
	if value == "" {
		r.Fail(name, "is required")
		return
	}
	r.AddQuery(name, value)
}

// QueryBool sets a flag whose default is false: it is sent only when true.
func (r *Request) QueryBool(name string, value bool) {
	if value {
		r.AddQuery(name, "true")
	}
}

// QueryBoolPtr sets a flag whose default is not false: it is sent whenever
// the caller set it, false included.
func (r *Request) QueryBoolPtr(name string, value *bool) {
	if value != nil {
		r.AddQuery(name, strconv.FormatBool(*value))
	}
}

// QueryStrings sets a repeated parameter, once per value.
func (r *Request) QueryStrings(name string, values []string) {
	for _, v := range values {
		r.AddQuery(name, v)
	}
}

// QueryJSON sets a parameter that Docker reads as JSON (filters, buildargs,
// labels, cachefrom, platform, ...) when v is neither nil nor empty.
func (r *Request) QueryJSON(name string, v any) {
	if isEmptyJSONValue(v) {
		return
	}
	b, err := jsonwire.Marshal(v)
	if err != nil {
		r.Fail(name, "cannot be encoded as JSON: "+err.Error())
		return
	}
	r.AddQuery(name, string(b))
}

// isEmptyJSONValue reports a value that is not worth sending: nil, or an
// empty map or slice (filters, labels, build args, platform lists).
func isEmptyJSONValue(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Map, reflect.Slice:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// Number is any Go type an integer or number parameter maps to.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// QueryNumber sets a numeric parameter when the caller set it (non-nil), so
// that zero is sent only on purpose.
func QueryNumber[T Number](r *Request, name string, value *T) {
	if value == nil {
		return
	}
	r.AddQuery(name, formatNumber(*value))
}

// QueryNumberRequired sets a required numeric parameter.
func QueryNumberRequired[T Number](r *Request, name string, value T) {
	r.AddQuery(name, formatNumber(value))
}

func formatNumber[T Number](v T) string {
	switch x := any(v).(type) {
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	if T(0)-1 < 0 { // signed
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatUint(uint64(v), 10)
}

// Header sets a request header when value is not empty.
func (r *Request) Header(name, value string) {
	if value != "" {
		r.header = append(r.header, [2]string{name, value})
	}
}

// Credential is a registry credential that encodes itself as the daemon
// reads X-Registry-Auth (*docker.AuthConfig).
type Credential interface{ Encode() (string, error) }

// RegistryAuth sets X-Registry-Auth from a credential, base64url-encoded as
// the daemon expects. A nil credential sends nothing, unless required
// (ImagePush, whose daemon insists on the header): then it sends an empty
// one ({}), which a registry without authentication accepts.
func RegistryAuth[T any, P interface {
	*T
	Credential
}](r *Request, auth P, required bool) {
	if auth == nil {
		if !required {
			return
		}
		auth = new(T)
	}
	h, err := auth.Encode()
	if err != nil {
		r.Fail("X-Registry-Auth", err.Error())
		return
	}
	r.Header("X-Registry-Auth", h)
}

// RegistryConfig sets X-Registry-Config (ImageBuild): credentials for every
// registry the build may pull from, keyed by registry host.
func RegistryConfig[M ~map[string]A, A any](r *Request, auths M) {
	if len(auths) == 0 {
		return
	}
	b, err := jsonwire.Marshal(auths)
	if err != nil {
		r.Fail("X-Registry-Config", "cannot be encoded: "+err.Error())
		return
	}
	r.Header("X-Registry-Config", base64.URLEncoding.EncodeToString(b))
}

// JSONBody sends v as a JSON body. It is encoded when the request is sent.
func (r *Request) JSONBody(v any) {
	r.jsonBody = v
	r.hasJSON = true
	r.ContentType = "application/json"
}

// JSON returns the value JSONBody set, and whether it set one.
func (r *Request) JSON() (any, bool) { return r.jsonBody, r.hasJSON }

// Headers returns the headers set, name and value, in order.
func (r *Request) Headers() [][2]string { return r.header }

// RawBody streams body (a tar archive, say) without buffering it.
func (r *Request) RawBody(body io.Reader, contentType string) {
	if body == nil {
		return
	}
	r.Body = body
	r.ContentType = contentType
}

// RequireBody records an error when a required body is missing.
func (r *Request) RequireBody(name string, present bool) {
	if !present {
		r.Fail(name, "(request body) is required")
	}
}

// QueryJoined sets a list parameter the spec encodes in one value, joined by
// sep.
func (r *Request) QueryJoined(name string, values []string, sep string) {
	if len(values) > 0 {
		r.AddQuery(name, strings.Join(values, sep))
	}
}

// QueryJSONRequired sets a required JSON parameter.
func (r *Request) QueryJSONRequired(name string, v any) {
	if isEmptyJSONValue(v) {
		r.Fail(name, "is required")
		return
	}
	r.QueryJSON(name, v)
}

// QueryJSONEach sets a repeated parameter whose every value is JSON (the
// `platform` list of ImageGet and ImageLoad, say).
func QueryJSONEach[T any](r *Request, name string, values []T) {
	for _, v := range values {
		b, err := jsonwire.Marshal(v)
		if err != nil {
			r.Fail(name, "cannot be encoded as JSON: "+err.Error())
			return
		}
		r.AddQuery(name, string(b))
	}
}
