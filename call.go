package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/dockerclient/docker/internal/gensupport"
	"github.com/dockerclient/docker/internal/jsonwire"
)

// Args are the arguments of a dynamic call, keyed by the parameter names of
// Docker's API reference: Args{"all": true, "filters": Filters{...}}. A
// request body goes under its spec name or "body".
type Args map[string]any

// opEntry is one operation over a range of versions in which it keeps one
// shape; operations_gen.go lists them all.
type opEntry struct {
	id       string
	method   string
	path     string
	from, to int // minor versions, inclusive
	result   resultKind
	params   []paramEntry
}

type paramEntry struct {
	name     string
	in       paramIn
	kind     paramKind
	required bool
}

type resultKind uint8

const (
	resultNone resultKind = iota
	resultJSON
	resultText
	resultHeaders
	resultJSONStream
	resultOutput
	resultBinary
	resultHijack
	resultWebSocket
)

type paramIn uint8

const (
	inPath paramIn = iota
	inQuery
	inHeader
	inBody
)

type paramKind uint8

const (
	kindString paramKind = iota
	kindBool
	kindInt
	kindNumber
	kindStrings
	kindJSON
	kindJSONEach
	kindAuth
	kindBody // a JSON body of a shape the table does not say
	kindReader
	kindObject // a JSON body that is an object
	kindArray  // a JSON body that is an array
)

func (k paramKind) String() string {
	return [...]string{"a string", "a bool", "an integer", "a number", "a list of strings",
		"a JSON-encodable value", "a list of JSON-encodable values", "a docker.AuthConfig",
		"a JSON-encodable body", "an io.Reader, []byte or string",
		"a JSON object (a struct, a map or json.RawMessage of an object)",
		"a JSON array (a slice or json.RawMessage of an array)"}[k]
}

// lookupOperation finds op's shape in API version v, or explains why it has
// none.
func lookupOperation(op, v string) (*opEntry, error) {
	pv, err := parseAPIVersion(v)
	if err != nil {
		return nil, err
	}
	first, last := 0, 0
	for i := range operationTable {
		e := &operationTable[i]
		if e.id != op {
			continue
		}
		if int(pv) >= e.from && int(pv) <= e.to {
			return e, nil
		}
		if first == 0 || e.from < first {
			first = e.from
		}
		last = max(last, e.to)
	}
	if first == 0 {
		return nil, fmt.Errorf("docker: no operation %q in any API version (operation names are Docker's operationIds, e.g. ContainerList)", op)
	}
	return nil, &VersionError{Op: op, Want: pv.String(), OpVersions: VersionRange{Min: apiVersion(first).String(), Max: apiVersion(last).String()}}
}

// Operations lists the operationIds that API version v has.
func Operations(v string) []string {
	pv, err := parseAPIVersion(v)
	if err != nil {
		return nil
	}
	var ids []string
	for _, e := range operationTable {
		if int(pv) >= e.from && int(pv) <= e.to {
			ids = append(ids, e.id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Call invokes an operation by its operationId with the API version the
// client negotiated (see Negotiate), as the Perl Docker::Client did:
//
//	var list []map[string]any
//	err := c.Call(ctx, "ContainerList", docker.Args{"all": true}, &list)
//
// The arguments are checked against that version's spec before anything is
// sent: an unknown name, a wrong type, a body of the wrong JSON shape (a
// number where the spec has an object), a missing required value, an
// operation the version lacks, or an out that cannot receive the answer is
// an error that says so.
//
// out receives the result: a pointer to decode JSON into (or nil to drop
// it); *string for text; *http.Header for header-only results; nil for
// operations that answer with no content; an *io.ReadCloser for a JSON
// result's raw body, handed over as soon as the daemon sends its headers
// (ContainerWait sends them once the wait is registered), which the caller
// decodes and closes. Streaming operations take an *io.ReadCloser (the raw
// body), **Stream, **Output or **JSONStream[JSONMessage] (or
// [json.RawMessage]), which the caller closes; hijacked ones
// (ContainerAttach, ExecStart) take **HijackedConn.
func (c *Client) Call(ctx context.Context, op string, args Args, out any) error {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	return c.CallVersion(ctx, v, op, args, out)
}

// CallVersion is Call with an explicit API version.
func (c *Client) CallVersion(ctx context.Context, version, op string, args Args, out any) error {
	e, err := lookupOperation(op, version)
	if ve, ok := err.(*VersionError); ok {
		ve.Daemon = c.knownDaemonVersions()
	}
	if err != nil {
		return err
	}
	if err := e.checkOut(out); err != nil {
		return err
	}
	r, err := e.request(version, args)
	if err != nil {
		return err
	}
	switch e.result {
	case resultHijack:
		return openInto[HijackedConn](ctx, c, r, out)
	case resultWebSocket:
		return openInto[WebSocketConn](ctx, c, r, out)
	case resultJSONStream, resultOutput, resultBinary:
		switch out.(type) {
		case *io.ReadCloser:
			resp, err := c.do(ctx, r)
			if err != nil {
				return err
			}
			*out.(*io.ReadCloser) = resp.Body
			return nil
		case **Stream:
			return openInto[Stream](ctx, c, r, out)
		case **Output:
			return openInto[Output](ctx, c, r, out)
		case **JSONStream[JSONMessage]:
			return openInto[JSONStream[JSONMessage]](ctx, c, r, out)
		case **JSONStream[json.RawMessage]:
			return openInto[JSONStream[json.RawMessage]](ctx, c, r, out)
		}
		return fmt.Errorf("docker: %s streams its result: out must be an *io.ReadCloser, **docker.Stream, "+
			"**docker.Output or **docker.JSONStream[docker.JSONMessage or json.RawMessage], not %T", op, out)
	case resultText:
		if s, ok := out.(*string); ok {
			text, err := c.doText(ctx, r)
			*s = text
			return err
		}
		return c.doNoContent(ctx, r)
	case resultHeaders:
		if h, ok := out.(*http.Header); ok {
			hdr, err := c.doHeaders(ctx, r)
			*h = hdr
			return err
		}
		return c.doNoContent(ctx, r)
	case resultNone:
		return c.doNoContent(ctx, r)
	}
	if rc, ok := out.(*io.ReadCloser); ok {
		// The raw JSON body, handed over as soon as the status and headers
		// arrive: ContainerWait sends them once the wait is registered.
		resp, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		// Read errors name the operation, as every stream's do.
		*rc = struct {
			io.Reader
			io.Closer
		}{bodyReader{resp.Body, r.Op}, resp.Body}
		return nil
	}
	return c.doJSON(ctx, r, out)
}

// checkOut refuses, before anything is sent, an out that cannot receive
// what the operation answers; the streaming kinds check theirs when they
// open.
func (e *opEntry) checkOut(out any) error {
	if out == nil {
		return nil
	}
	bad := func(want string) error {
		return fmt.Errorf("docker: %s: out must be %s, not %T", e.id, want, out)
	}
	switch e.result {
	case resultNone:
		return bad("nil: the operation answers with no content")
	case resultText:
		if _, ok := out.(*string); !ok {
			return bad("nil or a *string: the operation answers with text")
		}
	case resultHeaders:
		if _, ok := out.(*http.Header); !ok {
			return bad("nil or an *http.Header: the operation answers with headers only")
		}
	case resultJSON:
		if reflect.ValueOf(out).Kind() != reflect.Pointer || reflect.ValueOf(out).IsNil() {
			return bad("nil or a non-nil pointer to decode JSON into")
		}
	}
	return nil
}

// request checks args against the operation's parameters and builds the
// request.
func (e *opEntry) request(version string, args Args) (*request, error) {
	r := newRequest(e.id, version, e.method, e.path)
	used := make(map[string]bool, len(args))
	for i := range e.params {
		p := &e.params[i]
		val, ok := args[p.name]
		name := p.name
		if !ok && p.in == inBody {
			val, ok = args["body"]
			name = "body"
		}
		if !ok || val == nil {
			if p.required && p.kind == kindAuth {
				gensupport.RegistryAuth[AuthConfig](r, nil, true) // the daemon insists on the header, even empty
				continue
			}
			if p.required {
				return nil, &ParamError{Op: e.id, Param: p.name, Msg: "is required (API v" + version + ")"}
			}
			// An optional body left out is sent empty, as the typed
			// methods send it: daemons before 23.0 fail on no body at all.
			switch p.kind {
			case kindObject:
				r.JSONBody(json.RawMessage("{}"))
			case kindArray:
				r.JSONBody(json.RawMessage("[]"))
			}
			continue
		}
		used[name] = true
		if err := p.set(r, val); err != nil {
			return nil, &ParamError{Op: e.id, Param: p.name, Msg: err.Error()}
		}
	}
	for name := range args {
		if !used[name] && args[name] != nil {
			return nil, &ParamError{Op: e.id, Param: name, Msg: "is unknown in API v" + version + "; " + e.paramList()}
		}
	}
	if err := argError(r); err != nil {
		return nil, err
	}
	return r, nil
}

func (e *opEntry) paramList() string {
	if len(e.params) == 0 {
		return e.id + " takes no parameters"
	}
	names := make([]string, len(e.params))
	for i, p := range e.params {
		names[i] = p.name
	}
	return e.id + " takes " + strings.Join(names, ", ")
}

func (p *paramEntry) set(r *request, val any) error {
	wrong := func() error { return fmt.Errorf("must be %s, not %T", p.kind, val) }
	switch p.kind {
	case kindString:
		s, ok := val.(string)
		if !ok {
			return wrong()
		}
		switch p.in {
		case inPath:
			r.PathParam(p.name, s)
		case inHeader:
			r.Header(p.name, s)
		default:
			r.AddQuery(p.name, s)
		}
	case kindBool:
		b, ok := val.(bool)
		if !ok {
			return wrong()
		}
		r.AddQuery(p.name, strconv.FormatBool(b))
	case kindInt:
		s, ok := integerString(val)
		if !ok {
			return wrong()
		}
		r.AddQuery(p.name, s)
	case kindNumber:
		switch x := val.(type) {
		case float64:
			r.AddQuery(p.name, strconv.FormatFloat(x, 'f', -1, 64))
		default:
			s, ok := integerString(val)
			if !ok {
				return wrong()
			}
			r.AddQuery(p.name, s)
		}
	case kindStrings:
		switch x := val.(type) {
		case []string:
			r.QueryStrings(p.name, x)
		case string:
			r.AddQuery(p.name, x)
		default:
			return wrong()
		}
	case kindJSON:
		if s, ok := val.(string); ok {
			if !jsonwire.Valid([]byte(s)) {
				return fmt.Errorf("is a string but not valid JSON; pass a Go value (docker.Filters, a map, a slice) instead")
			}
			r.AddQuery(p.name, s)
			return nil
		}
		if p.in == inHeader {
			auths, ok := val.(map[string]AuthConfig)
			if !ok {
				return wrong()
			}
			gensupport.RegistryConfig(r, auths)
			return nil
		}
		r.QueryJSON(p.name, val)
	case kindJSONEach:
		rv := reflect.ValueOf(val)
		if rv.Kind() != reflect.Slice {
			return wrong()
		}
		for i := 0; i < rv.Len(); i++ {
			r.QueryJSON(p.name, rv.Index(i).Interface())
		}
	case kindAuth:
		switch x := val.(type) {
		case AuthConfig:
			gensupport.RegistryAuth(r, &x, false)
		case *AuthConfig:
			gensupport.RegistryAuth(r, x, false)
		default:
			return wrong()
		}
	case kindBody:
		r.JSONBody(val)
	case kindObject, kindArray:
		// Encoded here once to check its shape, and sent as encoded.
		b, err := jsonwire.Marshal(val)
		if err != nil {
			return fmt.Errorf("cannot be encoded as JSON: %v", err)
		}
		want := byte('{')
		if p.kind == kindArray {
			want = '['
		}
		if v := bytes.TrimLeft(b, " \t\r\n"); len(v) == 0 || v[0] != want {
			return wrong()
		}
		r.JSONBody(json.RawMessage(b))
	case kindReader:
		switch x := val.(type) {
		case io.Reader:
			r.RawBody(x, "application/x-tar")
		case []byte:
			r.RawBody(bytes.NewReader(x), "application/x-tar")
		case string:
			r.RawBody(strings.NewReader(x), "application/x-tar")
		default:
			return wrong()
		}
	}
	return nil
}

// integerString accepts any Go integer, and a float64 holding an integer
// (what decoding JSON yields).
func integerString(val any) (string, bool) {
	switch x := val.(type) {
	case int:
		return strconv.Itoa(x), true
	case int8, int16, int32, int64:
		return strconv.FormatInt(reflect.ValueOf(x).Int(), 10), true
	case uint, uint8, uint16, uint32, uint64:
		return strconv.FormatUint(reflect.ValueOf(x).Uint(), 10), true
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10), true
		}
	}
	return "", false
}

// openInto opens the stream or connection of r into out, which must be a
// **T; the type is checked before anything is sent.
func openInto[T any](ctx context.Context, c *Client, r *request, out any) error {
	dst, ok := out.(**T)
	if !ok {
		return fmt.Errorf("docker: %s: out must be a %T, not %T", r.Op, dst, out)
	}
	v := new(T)
	if err := c.open(ctx, r, v); err != nil {
		return err
	}
	*dst = v
	return nil
}
