package dockertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/dockerclient/docker/internal/apispec"
)

// checkRequest returns what is wrong with a request matched to rt: its
// query, headers and body against the operation's parameters. body is the
// body, or its first bytes when it was streamed; size is its length.
func (s *Server) checkRequest(rt *route, r *http.Request, body []byte, size int64) []string {
	var fails []string
	fail := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }

	// Query.
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		fail("malformed query %q: %v", r.URL.RawQuery, err)
	}
	declared := map[string]*apispec.Parameter{}
	for _, p := range rt.op.Params {
		if p.In == "query" {
			declared[p.Name] = p
		}
	}
	names := make([]string, 0, len(query))
	for name := range query {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p, ok := declared[name]
		if !ok {
			fail("unknown query parameter %q%s (%s)", name, didYouMean(name, keysOf(declared)), declaredNames(declared))
			continue
		}
		for _, msg := range checkQuery(p, query[name]) {
			fail("query parameter %q: %s", name, msg)
		}
	}
	for _, p := range declared {
		switch vs := query[p.Name]; {
		case !p.Required:
		case len(vs) == 0:
			fail("required query parameter %q is missing", p.Name)
		case strings.Join(vs, "") == "":
			fail("required query parameter %q is empty", p.Name)
		}
	}

	// Headers.
	for _, p := range rt.op.Params {
		if p.In == "header" && p.Required && r.Header.Get(p.Name) == "" {
			fail("required header %q is missing", p.Name)
		}
	}
	for _, h := range []string{"X-Registry-Auth", "X-Registry-Config"} {
		if v := r.Header.Get(h); v != "" {
			if msg := checkAuthHeader(v); msg != "" {
				fail("header %s: %s", h, msg)
			}
		}
	}

	// Body.
	var bodyParam *apispec.Parameter
	for _, p := range rt.op.Params {
		if p.In == "body" {
			bodyParam = p
		}
	}
	switch {
	case bodyParam == nil:
		if size > 0 {
			fail("sends a %d-byte body but the operation declares none", size)
		}
	case s.isStringSchema(bodyParam.Schema):
		// Tar contexts, archives and images: any bytes, any Content-Type.
		if bodyParam.Required && size == 0 {
			fail("required body %q is missing", bodyParam.Name)
		}
	default:
		fails = append(fails, s.checkJSONBody(bodyParam, r.Header.Get("Content-Type"), body)...)
	}
	return fails
}

// hasJSONBody reports whether an operation declares a JSON body: one the
// server must hold whole to check.
func (s *Server) hasJSONBody(rt *route) bool {
	for _, p := range rt.op.Params {
		if p.In == "body" && !s.isStringSchema(p.Schema) {
			return true
		}
	}
	return false
}

// isStringSchema reports whether a body (or a response) carries bytes
// rather than JSON: a schema of type string (format binary or not), or none.
func (s *Server) isStringSchema(sc *apispec.Schema) bool {
	if sc == nil {
		return true
	}
	sh := s.schemas.flatten(sc)
	return len(sh.types) == 1 && sh.types[0] == "string"
}

func (s *Server) checkJSONBody(p *apispec.Parameter, contentType string, body []byte) []string {
	if len(bytes.TrimSpace(body)) == 0 || string(bytes.TrimSpace(body)) == "null" {
		if p.Required {
			return []string{fmt.Sprintf("required body %q is missing", p.Name)}
		}
		return nil
	}
	var fails []string
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/json" {
		fails = append(fails, fmt.Sprintf("JSON body sent with Content-Type %q, want application/json", contentType))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return append(fails, fmt.Sprintf("body is not JSON: %v", err))
	}
	if dec.More() {
		return append(fails, "body has data after its JSON value")
	}
	val := validator{schemas: s.schemas, strict: true}
	val.check(v, p.Schema, "body", 0)
	return append(fails, val.fails...)
}

// checkQuery checks the values given for one query parameter.
func checkQuery(p *apispec.Parameter, values []string) []string {
	var fails []string
	isJSON := p.JSON
	if p.Type != "array" {
		if len(values) > 1 {
			fails = append(fails, fmt.Sprintf("given %d times, declared once", len(values)))
		}
		for _, v := range values {
			if msg := checkSimple(v, p.Type, p.Format, p.Enum, isJSON, p.Name); msg != "" {
				fails = append(fails, msg)
			}
		}
		return fails
	}
	var items []string
	switch p.CollectionFormat {
	case "multi":
		items = values
	default:
		sep := map[string]string{"ssv": " ", "tsv": "\t", "pipes": "|"}[p.CollectionFormat]
		if sep == "" {
			sep = ","
		}
		if len(values) > 1 {
			fails = append(fails, fmt.Sprintf("given %d times; collectionFormat %q wants one value", len(values), p.CollectionFormat))
		}
		for _, v := range values {
			items = append(items, strings.Split(v, sep)...)
		}
	}
	if p.Items == nil {
		return fails
	}
	isJSON = isJSON || p.Items.JSON
	for _, it := range items {
		if msg := checkSimple(it, p.Items.Type, p.Items.Format, p.Items.Enum, isJSON, p.Name); msg != "" {
			fails = append(fails, msg)
		}
	}
	return fails
}

// checkSimple checks one query value against a non-body parameter's type.
func checkSimple(v, typ, format string, enum []any, isJSON bool, name string) string {
	if isJSON {
		// The extension wins over the declared type, which for such
		// parameters is often wrong (v1.25 types buildargs as integer).
		return checkJSONQuery(name, v)
	}
	switch typ {
	case "boolean":
		// dockerd's boolValue takes any value: lowercased and trimmed, "",
		// "0", "no", "false" and "none" are false, anything else true
		// (docker-py sends "True"). Every value is a boolean.
		return ""
	case "integer":
		var err error
		if strings.HasPrefix(format, "uint") {
			_, err = strconv.ParseUint(v, 10, bitSize(format))
		} else {
			_, err = strconv.ParseInt(v, 10, bitSize(format))
		}
		if err != nil {
			return fmt.Sprintf("%q is not an integer (%s)", v, or(format, "int64"))
		}
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Sprintf("%q is not a number", v)
		}
	}
	if len(enum) > 0 {
		for _, e := range enum {
			if fmt.Sprint(e) == v {
				return ""
			}
		}
		return fmt.Sprintf("%q is not one of %v", v, enum)
	}
	return ""
}

func bitSize(format string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(format, "u"), "int"))
	if err != nil {
		return 64
	}
	return n
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkJSONQuery checks a query value the daemon decodes as JSON, with the
// shape its name implies.
func checkJSONQuery(name, v string) string {
	var x any
	if err := json.Unmarshal([]byte(v), &x); err != nil {
		return fmt.Sprintf("%q is not JSON: %v", v, err)
	}
	bad := func(want string) string { return fmt.Sprintf("%s, want %s", v, want) }
	switch name {
	case "filters":
		// map[string][]string, or map[string]map[string]bool as old
		// daemons (before 1.22, still accepted) take it.
		m, ok := x.(map[string]any)
		if !ok {
			return bad("an object of string arrays")
		}
		for _, e := range m {
			switch e := e.(type) {
			case []any:
				for _, s := range e {
					if _, ok := s.(string); !ok {
						return bad("an object of string arrays")
					}
				}
			case map[string]any:
				for _, b := range e {
					if _, ok := b.(bool); !ok {
						return bad("an object of string arrays or of {value: bool} objects")
					}
				}
			default:
				return bad("an object of string arrays")
			}
		}
	case "labels", "buildargs":
		m, ok := x.(map[string]any)
		if !ok {
			return bad("an object of strings")
		}
		for _, e := range m {
			if _, ok := e.(string); !ok && e != nil { // buildargs: null means "from the environment"
				return bad("an object of strings")
			}
		}
	case "cachefrom":
		a, ok := x.([]any)
		if !ok {
			return bad("an array of strings")
		}
		for _, e := range a {
			if _, ok := e.(string); !ok {
				return bad("an array of strings")
			}
		}
	case "platform":
		switch x.(type) {
		case map[string]any, string:
		default:
			return bad("an object (OCI platform) or a string")
		}
	}
	return ""
}

// checkAuthHeader checks X-Registry-Auth and X-Registry-Config: base64url
// (padding optional) of a JSON object. The daemon decodes them with the
// URL-safe alphabet, so standard base64 breaks for some credentials.
func checkAuthHeader(v string) string {
	if strings.ContainsAny(v, "+/") {
		return "uses the standard base64 alphabet (+ or /), want base64url"
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "="))
	if err != nil {
		return fmt.Sprintf("is not base64url: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return fmt.Sprintf("does not decode to a JSON object: %.60q", raw)
	}
	return ""
}

// declaredNames says which query parameters an operation has.
func declaredNames(declared map[string]*apispec.Parameter) string {
	if len(declared) == 0 {
		return "the operation declares none"
	}
	return "the operation declares " + strings.Join(keysOf(declared), ", ")
}
