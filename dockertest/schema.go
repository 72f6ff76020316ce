package dockertest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/dockerclient/docker/internal/apispec"
)

// shape is a schema with its $ref resolved and its allOf parts merged:
// Docker's specs compose request bodies (ContainerCreate, SecretCreate) and
// some responses (SwarmInspect) with allOf, and a value may use the
// properties of any part.
type shape struct {
	types    []string // empty: any JSON value
	format   string
	enum     []any
	props    map[string]*apispec.Schema
	addl     *apispec.Schema // additionalProperties as a schema, from the first part that says anything
	addlSet  bool            // some part says something of additionalProperties
	addlOK   bool            // additionalProperties: true
	items    *apispec.Schema
	required []string
	example  any
	refs     []string // definitions followed to get here
}

func (sh *shape) is(t string) bool {
	for _, x := range sh.types {
		if x == t {
			return true
		}
	}
	return false
}

// schemas resolves $refs against one spec's definitions.
type schemas struct {
	defs map[string]*apispec.Schema
}

// deref follows a chain of $refs. It returns nil for a dangling one.
func (c schemas) deref(s *apispec.Schema, refs *[]string) *apispec.Schema {
	for i := 0; s != nil && i < 16; i++ {
		name := s.Ref
		if name == "" {
			return s
		}
		d, ok := c.defs[name]
		if !ok {
			return nil
		}
		if refs != nil {
			*refs = append(*refs, name)
		}
		s = d
	}
	return nil
}

// flatten resolves s and merges its allOf parts into one shape.
func (c schemas) flatten(s *apispec.Schema) *shape {
	sh := &shape{}
	c.merge(sh, s, 0)
	if len(sh.types) == 0 {
		// Maps without `type: object` (stats networks) and arrays without
		// `type: array` still say what they are.
		switch {
		case len(sh.props) > 0 || sh.addlSet:
			sh.types = []string{"object"}
		case sh.items != nil:
			sh.types = []string{"array"}
		}
	}
	return sh
}

func (c schemas) merge(sh *shape, s *apispec.Schema, depth int) {
	if depth > 8 {
		return // an allOf cycle; Docker's specs have none
	}
	s = c.deref(s, &sh.refs)
	if s == nil {
		return
	}
	for _, t := range s.Type {
		if !sh.is(t) {
			sh.types = append(sh.types, t)
		}
	}
	if sh.format == "" {
		sh.format = s.Format
	}
	if sh.enum == nil {
		sh.enum = s.Enum
	}
	if depth == 0 {
		// An allOf part's example shows only that part.
		sh.example = s.Example
	}
	for k, p := range s.Properties {
		if sh.props == nil {
			sh.props = map[string]*apispec.Schema{}
		}
		sh.props[k] = p
	}
	if !sh.addlSet && (s.Additional != nil || s.AdditionalBool != nil) {
		sh.addlSet = true
		sh.addl = s.Additional
		sh.addlOK = s.AdditionalBool != nil && *s.AdditionalBool
	}
	if sh.items == nil && s.Items != nil {
		sh.items = s.Items
	}
	sh.required = append(sh.required, s.Required...)
	for _, a := range s.AllOf {
		c.merge(sh, a, depth+1)
	}
}

// validator checks a decoded JSON value against a schema. strict adds the
// checks that only make sense for what the client sends: unknown property
// names, and implies required and enums. answer checks what a test scripts
// a daemon to send: required properties and enums, with the allowance of
// answerEnumExtra. Examples in the spec are checked with none of these, so
// an example with extra fields still tests that the client tolerates
// fields the spec does not list.
type validator struct {
	schemas
	strict bool
	answer bool
	fails  []string
}

// answerEnumExtra allows in answers the values daemons send beyond a
// spec's enum, so that a test can script what a client really meets:
//   - "" for any string enum: daemons leave an unset enum field empty
//     (a container's Health.Status before its first check, an image's
//     unset fields);
//   - "stopping" in an enum of container states (one with "running" and
//     "exited"): Podman's Docker-compatible API reports it.
func answerEnumExtra(x any, enum []any) bool {
	s, ok := x.(string)
	if !ok {
		return false
	}
	if s == "" {
		return true
	}
	return s == "stopping" && inEnum("running", enum) && inEnum("exited", enum)
}

// inEnum reports whether a scalar is one of an enum's values. Enums of
// objects or arrays (ContainerConfig.Volumes' {}) are not compared: ok.
func inEnum(x any, enum []any) bool {
	for _, e := range enum {
		switch e.(type) {
		case map[string]any, []any:
			return true
		}
		if fmt.Sprint(e) == fmt.Sprint(x) {
			return true
		}
	}
	return false
}

func (v *validator) fail(at, format string, args ...any) {
	v.fails = append(v.fails, at+": "+fmt.Sprintf(format, args...))
}

func (v *validator) check(x any, s *apispec.Schema, at string, depth int) {
	if x == nil || s == nil || depth > 64 {
		return // null is always allowed: x-nullable is used unevenly
	}
	sh := v.flatten(s)
	kind := jsonKind(x)
	if len(sh.types) > 0 && !typeFits(x, kind, sh) {
		v.fail(at, "want %s, got %s", strings.Join(sh.types, " or "), kind)
		return
	}
	if (v.strict || v.answer) && len(sh.enum) > 0 {
		switch x.(type) {
		case map[string]any, []any:
		default:
			// "" is unset: the docker CLI sends it for enum fields it
			// leaves to the daemon (HostConfig.CgroupnsMode, LogConfig.Type),
			// which reads it as the default.
			if !inEnum(x, sh.enum) && x != "" && !(v.answer && answerEnumExtra(x, sh.enum)) {
				v.fail(at, "%s is not one of %s", jsonText(x), enumText(sh.enum))
			}
		}
	}
	switch x := x.(type) {
	case string:
		if sh.format == "byte" {
			if _, err := base64.StdEncoding.DecodeString(x); err != nil {
				v.fail(at, "%.40q is not base64 (format byte)", x)
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch p, ok := sh.props[k]; {
			case ok:
				v.check(x[k], p, at+"."+k, depth+1)
			case sh.addl != nil:
				v.check(x[k], sh.addl, at+"."+k, depth+1)
			case sh.addlOK, !sh.addlSet && len(sh.props) == 0:
				// a free-form object
			case v.strict:
				v.fail(at, "unknown property %q%s", k, didYouMean(k, keysOf(sh.props)))
			}
		}
		if v.strict || v.answer {
			for _, r := range sh.required {
				if _, ok := x[r]; !ok {
					v.fail(at, "required property %q is missing", r)
				}
			}
		}
	case []any:
		if sh.items != nil {
			for i, e := range x {
				v.check(e, sh.items, fmt.Sprintf("%s[%d]", at, i), depth+1)
			}
		}
	}
}

func jsonText(x any) string {
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprint(x)
	}
	return string(b)
}

func enumText(enum []any) string {
	var parts []string
	for _, e := range enum {
		parts = append(parts, jsonText(e))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// jsonKind names the JSON type of a value decoded by encoding/json (with or
// without UseNumber).
func jsonKind(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64, float32, int, int64, uint64:
		return "number"
	default:
		return fmt.Sprintf("%T", x)
	}
}

// typeFits reports whether x is one of the schema's types. A list of types
// ([array, string]) accepts any of them.
func typeFits(x any, kind string, sh *shape) bool {
	for _, t := range sh.types {
		switch t {
		case kind:
			return true
		case "integer":
			if kind == "number" && isInteger(x, sh.format) {
				return true
			}
		case "null":
			// x is not null here
		case "file":
			return true
		}
	}
	return false
}

// isInteger reports whether a JSON number is an integer in the range its
// format allows. A json.Number must be written as an integer ("1", not
// "1.0"): that is what a Go client decoding into an int accepts.
func isInteger(x any, format string) bool {
	lo, hi := intRange(format)
	switch n := x.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return float64(i) >= lo && float64(i) <= hi
		}
		if u, err := strconv.ParseUint(string(n), 10, 64); err == nil {
			return float64(u) <= hi
		}
		return false
	case float64:
		// Examples come through encoding/json as float64: int64 extremes
		// are rounded beyond int64's range, which a client could not decode.
		return n == math.Trunc(n) && n >= lo && n < hi
	case int, int64, uint64:
		return true
	}
	return false
}

// intRange is the closed range of an integer format; int64 when unknown.
func intRange(format string) (lo, hi float64) {
	switch format {
	case "int8":
		return math.MinInt8, math.MaxInt8
	case "int16":
		return math.MinInt16, math.MaxInt16
	case "int32":
		return math.MinInt32, math.MaxInt32
	case "uint8":
		return 0, math.MaxUint8
	case "uint16":
		return 0, math.MaxUint16
	case "uint32":
		return 0, math.MaxUint32
	case "uint64", "uint":
		return 0, math.MaxUint64
	}
	return math.MinInt64, math.MaxInt64
}

// synthesizer builds a response value from a schema: the schema's example
// when it fits, otherwise one of everything the schema declares.
type synthesizer struct {
	schemas
	maxDepth int
	// strict examples must also pass the request checks (no unknown
	// properties): set when building a request body.
	strict bool
	// badExamples collects examples that do not fit their schema, for the
	// report: "Def.Prop: why".
	badExamples map[string]string
}

func (g *synthesizer) value(s *apispec.Schema, at string, depth int, stack []string) any {
	if s == nil {
		return nil
	}
	sh := g.flatten(s)
	for _, r := range sh.refs {
		for _, seen := range stack {
			if r == seen {
				return empty(sh) // a $ref cycle: stop here
			}
		}
	}
	stack = append(stack, sh.refs...)
	if len(sh.refs) > 0 {
		at = sh.refs[len(sh.refs)-1]
	}
	if sh.example != nil {
		v := validator{schemas: g.schemas, strict: g.strict}
		v.check(sh.example, s, at, 0)
		if len(v.fails) == 0 {
			return sh.example
		}
		if g.badExamples != nil {
			g.badExamples[at] = v.fails[0]
		}
	}
	if depth >= g.maxDepth && (sh.is("object") || sh.is("array")) {
		return empty(sh)
	}
	if len(sh.enum) > 0 {
		return sh.enum[0]
	}
	t := ""
	if len(sh.types) > 0 {
		t = sh.types[0]
	}
	switch t {
	case "object":
		m := map[string]any{}
		for k, p := range sh.props {
			m[k] = g.value(p, at+"."+k, depth+1, stack)
		}
		if sh.addl != nil {
			m["key"] = g.value(sh.addl, at+".key", depth+1, stack)
		}
		return m
	case "array":
		if sh.items == nil {
			return []any{}
		}
		return []any{g.value(sh.items, at+"[]", depth+1, stack)}
	case "string":
		switch strings.ToLower(sh.format) {
		case "date-time", "datetime":
			return "2020-01-01T00:00:00Z"
		case "byte":
			return "ZGF0YQ==" // base64 of "data"
		}
		return "string"
	case "integer":
		return 1
	case "number":
		return 1.5
	case "boolean":
		return true
	}
	return nil // no type: anything goes, and null decodes into anything
}

// empty is the value that ends a recursion: an empty container of the
// schema's kind, or null.
func empty(sh *shape) any {
	switch {
	case sh.is("object"):
		return map[string]any{}
	case sh.is("array"):
		return []any{}
	}
	return nil
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// didYouMean names the declared names closest to a wrong one (the same
// but for case, or two edits away), as " (did you mean X?)", or "".
func didYouMean(name string, declared []string) string {
	var near []string
	for _, d := range declared {
		if strings.EqualFold(d, name) || editDistance(strings.ToLower(d), strings.ToLower(name)) <= 2 {
			near = append(near, d)
		}
	}
	if len(near) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(near, " or ") + "?)"
}

// editDistance is the Levenshtein distance between two short names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
