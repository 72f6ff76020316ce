package jsoncodec

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Unmarshal decodes the JSON document in data into v, a non-nil pointer,
// by encoding/json's rules. It differs in three ways, all deliberate:
//   - Strings in the result that needed no unescaping share one copy of
//     data, so the whole document stays in memory while any of them does.
//   - It stops at the first error, and what it decoded up to there stays
//     in v (encoding/json checks the syntax of the whole document first and
//     goes on past a type mismatch to report the first at the end).
//   - Its errors are this package's *SyntaxError and *TypeError.
func Unmarshal(data []byte, v any) error {
	return UnmarshalString(string(data), v)
}

// UnmarshalString is Unmarshal for a document already held in a string;
// it does not copy s.
func UnmarshalString(s string, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &InvalidTargetError{Type: reflect.TypeOf(v)}
	}
	d := decoder{s: s}
	d.skipSpace()
	if err := d.value(rv.Elem(), codecFor(rv.Type().Elem())); err != nil {
		return err
	}
	d.skipSpace()
	if d.i < len(d.s) {
		return d.syntaxError("after the top-level value")
	}
	return nil
}

// Valid reports whether data is one well-formed JSON value.
func Valid(data []byte) bool {
	d := decoder{s: string(data)}
	d.skipSpace()
	if _, err := d.skip(); err != nil {
		return false
	}
	d.skipSpace()
	return d.i == len(d.s)
}

// InvalidTargetError reports a target that Unmarshal cannot fill: nil or
// not a pointer.
type InvalidTargetError struct {
	Type reflect.Type
}

func (e *InvalidTargetError) Error() string {
	if e.Type == nil {
		return "json: cannot decode into nil"
	}
	return "json: cannot decode into " + e.Type.String() + ", which is not a pointer"
}

// SyntaxError reports malformed JSON.
type SyntaxError struct {
	Msg    string // what was wrong
	Offset int64  // bytes read before the error
}

func (e *SyntaxError) Error() string {
	return "json: syntax error at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// TypeError reports a JSON value that does not fit the Go type at its
// place in the target.
type TypeError struct {
	Value  string       // "string", "number 1.5", "object", ...
	Type   reflect.Type // the Go type it did not fit
	Field  string       // dotted path of Go field names to it, if within a struct
	Offset int64        // bytes read before the value
	Msg    string       // a reason, when the mismatch is not of kind
}

func (e *TypeError) Error() string {
	s := "json: cannot decode " + e.Value + " into "
	if e.Field != "" {
		s += "field " + e.Field + " of "
	}
	s += "type " + e.Type.String()
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s + " (offset " + strconv.FormatInt(e.Offset, 10) + ")"
}

// maxDepth bounds nesting, as encoding/json does, so a hostile document
// cannot exhaust the stack.
const maxDepth = 10000

type decoder struct {
	s     string
	i     int
	depth int
}

func (d *decoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) syntaxError(what string) error {
	if d.i >= len(d.s) {
		return &SyntaxError{Msg: "unexpected end of input " + what, Offset: int64(d.i)}
	}
	return &SyntaxError{Msg: "unexpected " + quoteChar(d.s[d.i]) + " " + what, Offset: int64(d.i)}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	return strconv.QuoteRune(rune(c))
}

func (d *decoder) typeError(value string, t reflect.Type, at int) error {
	return &TypeError{Value: value, Type: t, Offset: int64(at)}
}

// value decodes the value at d.i into v, which is settable.
func (d *decoder) value(v reflect.Value, c *codec) error {
	if d.i >= len(d.s) {
		return d.syntaxError("looking for a value")
	}
	start := d.i
	ch := d.s[d.i]

	if c.unmarshaler && v.Kind() != reflect.Pointer {
		raw, err := d.skip()
		if err != nil {
			return err
		}
		return callUnmarshalJSON(v, raw)
	}
	if ch == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		if v.Kind() == reflect.Interface && !v.IsNil() {
			// An interface holding a pointer to a pointer keeps it, and
			// that pointer is set to nil, as encoding/json does.
			if e := v.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() && e.Elem().Kind() == reflect.Pointer {
				e.Elem().SetZero()
				return nil
			}
		}
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
			v.SetZero()
		}
		return nil
	}

	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.value(v.Elem(), c.elem)
	case reflect.Interface:
		if !v.IsNil() {
			if e := v.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() {
				return d.value(e, codecFor(e.Type()))
			}
		}
		if v.NumMethod() > 0 {
			if _, err := d.skip(); err != nil {
				return err
			}
			return d.typeError(describe(d.s[start:d.i]), v.Type(), start)
		}
		g, err := d.generic()
		if err != nil {
			return err
		}
		if g == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(g))
		}
		return nil
	}

	if c.textUnmarshaler {
		if ch != '"' {
			if _, err := d.skip(); err != nil {
				return err
			}
			return d.typeError(describe(d.s[start:d.i]), v.Type(), start)
		}
		str, err := d.str()
		if err != nil {
			return err
		}
		if err := v.Addr().Interface().(textUnmarshaler).UnmarshalText([]byte(str)); err != nil {
			return &TypeError{Value: "string", Type: v.Type(), Offset: int64(start), Msg: err.Error()}
		}
		return nil
	}

	switch ch {
	case '{':
		switch v.Kind() {
		case reflect.Struct:
			return d.object(v, c)
		case reflect.Map:
			return d.mapObject(v, c)
		}
	case '[':
		switch v.Kind() {
		case reflect.Slice, reflect.Array:
			return d.array(v, c)
		}
	case '"':
		str, err := d.str()
		if err != nil {
			return err
		}
		switch v.Kind() {
		case reflect.String:
			if c.number && !validNumber(str) {
				return &TypeError{Value: "string", Type: v.Type(), Offset: int64(start), Msg: "not a number"}
			}
			v.SetString(str)
			return nil
		case reflect.Slice:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				b, err := base64.StdEncoding.DecodeString(str)
				if err != nil {
					return &TypeError{Value: "string", Type: v.Type(), Offset: int64(start), Msg: "invalid base64"}
				}
				v.SetBytes(b)
				return nil
			}
		}
		return d.typeError("string", v.Type(), start)
	case 't', 'f':
		b := ch == 't'
		lit := "false"
		if b {
			lit = "true"
		}
		if err := d.literal(lit); err != nil {
			return err
		}
		if v.Kind() == reflect.Bool {
			v.SetBool(b)
			return nil
		}
		return d.typeError("bool", v.Type(), start)
	default:
		if ch == '-' || ch >= '0' && ch <= '9' {
			num, err := d.number()
			if err != nil {
				return err
			}
			return d.storeNumber(v, c, num, start)
		}
		return d.syntaxError("looking for a value")
	}
	if _, err := d.skip(); err != nil {
		return err
	}
	return d.typeError(describe(d.s[start:d.i]), v.Type(), start)
}

func (d *decoder) storeNumber(v reflect.Value, c *codec, num string, start int) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return d.typeError("number "+num, v.Type(), start)
		}
		v.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(num, 10, 64)
		if err != nil || v.OverflowUint(n) {
			return d.typeError("number "+num, v.Type(), start)
		}
		v.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(num, v.Type().Bits())
		if err != nil || v.OverflowFloat(f) {
			return d.typeError("number "+num, v.Type(), start)
		}
		v.SetFloat(f)
		return nil
	case reflect.String:
		if c.number {
			v.SetString(num)
			return nil
		}
	}
	return d.typeError("number", v.Type(), start)
}

func callUnmarshalJSON(v reflect.Value, raw string) error {
	return v.Addr().Interface().(jsonUnmarshaler).UnmarshalJSON([]byte(raw))
}

// object decodes a JSON object into struct v.
func (d *decoder) object(v reflect.Value, c *codec) error {
	return d.members(func(key, _ string, _ int) error {
		k, ok := c.exact[key]
		if !ok {
			k, ok = c.folded[foldName(key)]
		}
		if !ok {
			_, err := d.skip()
			return err
		}
		f := &c.fields[k]
		fv, err := fieldByIndex(v, f.index)
		if err == nil {
			if f.quoted {
				err = d.quoted(fv, f.codec)
			} else {
				err = d.value(fv, f.codec)
			}
		}
		if err != nil {
			return inField(err, c.typ, f)
		}
		return nil
	})
}

// members reads an object, from its '{', calling member for each member
// with the key and the key's offset, once the value is next to read.
func (d *decoder) members(member func(key, rawKey string, at int) error) error {
	if d.depth++; d.depth > maxDepth {
		return d.syntaxError("past the maximum nesting depth")
	}
	defer func() { d.depth-- }()
	d.i++ // {
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return d.syntaxError("looking for an object key")
		}
		at := d.i
		key, err := d.str()
		if err != nil {
			return err
		}
		rawKey := d.s[at:d.i]
		if err := d.colon(); err != nil {
			return err
		}
		if err := member(key, rawKey, at); err != nil {
			return err
		}
		if done, err := d.next('}'); done || err != nil {
			return err
		}
	}
}

// elements reads an array, from its '[', calling element for each
// element, once it is next to read.
func (d *decoder) elements(element func() error) error {
	if d.depth++; d.depth > maxDepth {
		return d.syntaxError("past the maximum nesting depth")
	}
	defer func() { d.depth-- }()
	d.i++ // [
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return nil
	}
	for {
		if err := element(); err != nil {
			return err
		}
		if done, err := d.next(']'); done || err != nil {
			return err
		}
	}
}

// inField adds the field's place to a type error from within it.
func inField(err error, t reflect.Type, f *field) error {
	te, ok := err.(*TypeError)
	if !ok {
		return err
	}
	name := t.Name()
	if name == "" {
		name = t.String()
	}
	path := fieldGoName(t, f.index)
	if te.Field == "" {
		te.Field = name + "." + path
	} else {
		// Drop the inner struct's type name, keep the path below it.
		_, rest := cutFirst(te.Field)
		te.Field = name + "." + path + "." + rest
	}
	return te
}

func cutFirst(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func fieldGoName(t reflect.Type, index []int) string {
	name := ""
	for _, i := range index {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		sf := t.Field(i)
		if name != "" {
			name += "."
		}
		name += sf.Name
		t = sf.Type
	}
	return name
}

// fieldByIndex is reflect's FieldByIndex, allocating the embedded structs
// behind nil pointers on the way.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, error) {
	for k, i := range index {
		if k > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, &TypeError{Value: "object", Type: v.Type().Elem(),
						Msg: "cannot set an embedded pointer to an unexported struct"}
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, nil
}

// quoted decodes a field tagged ",string": a JSON string that holds the
// field's value as JSON.
func (d *decoder) quoted(v reflect.Value, c *codec) error {
	start := d.i
	if d.i < len(d.s) && d.s[d.i] == 'n' {
		return d.value(v, c)
	}
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		if _, err := d.skip(); err != nil {
			return err
		}
		return &TypeError{Value: describe(d.s[start:d.i]), Type: v.Type(), Offset: int64(start), Msg: "the ,string option needs a string"}
	}
	inner, err := d.str()
	if err != nil {
		return err
	}
	if err := storeQuoted(v, c, inner); err != nil {
		return &TypeError{Value: "string", Type: v.Type(), Offset: int64(start), Msg: err.Error()}
	}
	return nil
}

// storeQuoted stores the text of a ",string" field, whose codec is c, as
// encoding/json does: through UnmarshalJSON or UnmarshalText when the type
// has one, strconv's rules for numbers (so "00" is 0), exact literals
// otherwise.
func storeQuoted(v reflect.Value, c *codec, inner string) error {
	bad := func() error { return errors.New("invalid ,string value " + strconv.Quote(inner)) }
	if inner == "" {
		return bad()
	}
	if inner == "null" {
		switch {
		case v.Kind() == reflect.Pointer:
			v.SetZero()
		case c.unmarshaler:
			return callUnmarshalJSON(v, inner)
		}
		return nil
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v, c = v.Elem(), c.elem
	}
	switch {
	case c.unmarshaler:
		return callUnmarshalJSON(v, inner)
	case c.textUnmarshaler:
		d := decoder{s: inner}
		if inner[0] != '"' {
			return bad()
		}
		str, err := d.str()
		if err != nil || d.i != len(inner) {
			return bad()
		}
		return v.Addr().Interface().(textUnmarshaler).UnmarshalText([]byte(str))
	}
	switch first := inner[0]; {
	case first == 't' || first == 'f':
		if v.Kind() != reflect.Bool || inner != "true" && inner != "false" {
			return bad()
		}
		v.SetBool(inner == "true")
	case first == '"':
		d := decoder{s: inner}
		str, err := d.str()
		if err != nil || d.i != len(inner) || v.Kind() != reflect.String {
			return bad()
		}
		v.SetString(str)
	case first == '-' || first >= '0' && first <= '9':
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(inner, 10, 64)
			if err != nil || v.OverflowInt(n) {
				return bad()
			}
			v.SetInt(n)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			n, err := strconv.ParseUint(inner, 10, 64)
			if err != nil || v.OverflowUint(n) {
				return bad()
			}
			v.SetUint(n)
		case reflect.Float32, reflect.Float64:
			f, err := strconv.ParseFloat(inner, v.Type().Bits())
			if err != nil || v.OverflowFloat(f) {
				return bad()
			}
			v.SetFloat(f)
		case reflect.String:
			if !c.number {
				return bad()
			}
			v.SetString(inner) // unchecked beyond its first byte, as encoding/json does
		default:
			return bad()
		}
	default:
		return bad()
	}
	return nil
}

// mapObject decodes a JSON object into map v.
func (d *decoder) mapObject(v reflect.Value, c *codec) error {
	t := v.Type()
	kt := t.Key()
	switch {
	case c.key.keyText:
	default:
		switch kt.Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			start := d.i
			if _, err := d.skip(); err != nil {
				return err
			}
			return d.typeError("object", t, start)
		}
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	if t == stringMapType {
		// Labels, options, annotations: most of Docker's maps are this
		// one type, decoded here without reflection.
		return d.stringMap(v.Interface().(map[string]string))
	}
	// One key and one element value serve every member: SetMapIndex copies.
	kv := reflect.New(kt).Elem()
	ev := reflect.New(t.Elem()).Elem()
	return d.members(func(key, rawKey string, at int) error {
		if err := d.setKey(kv, c.key, key, rawKey, at); err != nil {
			return err
		}
		ev.SetZero()
		if err := d.value(ev, c.elem); err != nil {
			return err
		}
		v.SetMapIndex(kv, ev)
		return nil
	})
}

var stringMapType = reflect.TypeFor[map[string]string]()

func (d *decoder) stringMap(m map[string]string) error {
	return d.members(func(key, _ string, _ int) error {
		switch {
		case d.i < len(d.s) && d.s[d.i] == '"':
			val, err := d.str()
			if err != nil {
				return err
			}
			m[key] = val
		case d.i < len(d.s) && d.s[d.i] == 'n':
			if err := d.literal("null"); err != nil {
				return err
			}
			m[key] = "" // null stores the zero value, as encoding/json does
		default:
			start := d.i
			if _, err := d.skip(); err != nil {
				return err
			}
			return d.typeError(describe(d.s[start:d.i]), stringMapType.Elem(), start)
		}
		return nil
	})
}

// setKey sets kv to a member's key, as encoding/json does: a key type
// with UnmarshalText decodes itself, through UnmarshalJSON (given the
// quoted key) when it has that too; otherwise by kind.
func (d *decoder) setKey(kv reflect.Value, c *codec, key, rawKey string, at int) error {
	if c.keyText {
		kv.SetZero()
		var err error
		if c.unmarshaler {
			err = kv.Addr().Interface().(jsonUnmarshaler).UnmarshalJSON([]byte(rawKey))
		} else {
			err = kv.Addr().Interface().(textUnmarshaler).UnmarshalText([]byte(key))
		}
		if err != nil {
			return &TypeError{Value: "object key " + strconv.Quote(key), Type: kv.Type(), Offset: int64(at), Msg: err.Error()}
		}
		return nil
	}
	switch kv.Kind() {
	case reflect.String:
		kv.SetString(key)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(key, 10, 64)
		if err != nil || kv.OverflowInt(n) {
			return d.typeError("number "+key, kv.Type(), at+1)
		}
		kv.SetInt(n)
	default:
		n, err := strconv.ParseUint(key, 10, 64)
		if err != nil || kv.OverflowUint(n) {
			return d.typeError("number "+key, kv.Type(), at+1)
		}
		kv.SetUint(n)
	}
	return nil
}

// array decodes a JSON array into slice or array v.
func (d *decoder) array(v reflect.Value, c *codec) error {
	isSlice := v.Kind() == reflect.Slice
	n := 0
	err := d.elements(func() error {
		defer func() { n++ }()
		if isSlice {
			if n >= v.Cap() {
				v.Grow(1)
			}
			if n >= v.Len() {
				v.SetLen(n + 1)
			}
		} else if n >= v.Len() {
			_, err := d.skip() // a fixed array that is full: the rest is dropped
			return err
		}
		return d.value(v.Index(n), c.elem)
	})
	if err != nil {
		return err
	}
	switch {
	case isSlice && n == 0:
		v.Set(c.empty) // [] is an empty slice, not nil
	case isSlice:
		v.SetLen(n)
	default:
		for ; n < v.Len(); n++ {
			v.Index(n).SetZero()
		}
	}
	return nil
}

// colon consumes the ':' after an object key and the space around it.
func (d *decoder) colon() error {
	d.skipSpace()
	if d.i >= len(d.s) || d.s[d.i] != ':' {
		return d.syntaxError("after an object key")
	}
	d.i++
	d.skipSpace()
	return nil
}

// next consumes what follows a member or element: a comma (then false) or
// the closing byte (then true).
func (d *decoder) next(closing byte) (bool, error) {
	d.skipSpace()
	if d.i < len(d.s) {
		switch d.s[d.i] {
		case ',':
			d.i++
			d.skipSpace()
			return false, nil
		case closing:
			d.i++
			return true, nil
		}
	}
	if closing == '}' {
		return false, d.syntaxError("after an object member")
	}
	return false, d.syntaxError("after an array element")
}

func (d *decoder) literal(lit string) error {
	if len(d.s)-d.i >= len(lit) && d.s[d.i:d.i+len(lit)] == lit {
		d.i += len(lit)
		return nil
	}
	for k := 0; k < len(lit); k++ {
		if d.i+k >= len(d.s) || d.s[d.i+k] != lit[k] {
			d.i += k
			return d.syntaxError("in literal " + lit)
		}
	}
	return nil
}

// number consumes a JSON number and returns its text.
func (d *decoder) number() (string, error) {
	start := d.i
	s := d.s
	i := d.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		d.i = i
		return "", d.syntaxError("in a number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return "", d.syntaxError("after the decimal point of a number")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return "", d.syntaxError("in the exponent of a number")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	d.i = i
	return s[start:i], nil
}

func validNumber(s string) bool {
	d := decoder{s: s}
	_, err := d.number()
	return err == nil && d.i == len(s)
}

// str consumes a JSON string and returns its value. A string without
// escapes and with valid UTF-8 is returned as a slice of the document.
func (d *decoder) str() (string, error) {
	d.i++ // "
	start := d.i
	s := d.s
	ascii := true
	for i := start; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			if ascii || utf8.ValidString(s[start:i]) {
				return s[start:i], nil
			}
			return string([]rune(s[start:i])), nil // U+FFFD for each bad byte, as encoding/json
		case c == '\\':
			// The escapes make the value shorter than its text: find
			// the text's end first, so one exact buffer serves.
			d.i = start - 1
			raw, err := d.skipString()
			if err != nil {
				return "", err
			}
			return d.unescape(raw[1 : len(raw)-1]), nil
		case c < 0x20:
			d.i = i
			return "", d.syntaxError("in a string (a control character must be escaped)")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.i = len(s)
	return "", d.syntaxError("in a string")
}

// unescape decodes the text of a string (between its quotes) that has
// escapes; skipString has checked its syntax.
func (d *decoder) unescape(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\':
			switch e := s[i+1]; e {
			case 'u':
				r, _ := hex4(s, i+2)
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2, ok = hex4(s, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				b = append(b, unescaped[e])
				i += 2
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r) // RuneError for a bad byte, as encoding/json
			i += size
		}
	}
	return string(b)
}

// unescaped maps the letter of a one-letter escape to its byte.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// skip consumes one value, checking its syntax, and returns its text.
func (d *decoder) skip() (string, error) {
	start := d.i
	if d.i >= len(d.s) {
		return "", d.syntaxError("looking for a value")
	}
	switch c := d.s[d.i]; {
	case c == '{' || c == '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		if d.depth++; d.depth > maxDepth {
			return "", d.syntaxError("past the maximum nesting depth")
		}
		d.i++
		d.skipSpace()
		if d.i < len(d.s) && d.s[d.i] == closing {
			d.i++
			d.depth--
			return d.s[start:d.i], nil
		}
		for {
			if closing == '}' {
				if d.i >= len(d.s) || d.s[d.i] != '"' {
					return "", d.syntaxError("looking for an object key")
				}
				if _, err := d.skipString(); err != nil {
					return "", err
				}
				if err := d.colon(); err != nil {
					return "", err
				}
			}
			if _, err := d.skip(); err != nil {
				return "", err
			}
			done, err := d.next(closing)
			if err != nil {
				return "", err
			}
			if done {
				d.depth--
				return d.s[start:d.i], nil
			}
		}
	case c == '"':
		return d.skipString()
	case c == 't':
		return "true", d.literal("true")
	case c == 'f':
		return "false", d.literal("false")
	case c == 'n':
		return "null", d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return "", d.syntaxError("looking for a value")
}

// skipString consumes a string without building its value.
func (d *decoder) skipString() (string, error) {
	start := d.i
	s := d.s
	for i := start + 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			d.i = i + 1
			return s[start:d.i], nil
		case c == '\\':
			if i+1 >= len(s) {
				d.i = len(s)
				return "", d.syntaxError("in a string escape")
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if _, ok := hex4(s, i+2); !ok {
					d.i = i
					return "", d.syntaxError("in a \\u escape")
				}
				i += 5
			default:
				d.i = i + 1
				return "", d.syntaxError("in a string escape")
			}
		case c < 0x20:
			d.i = i
			return "", d.syntaxError("in a string (a control character must be escaped)")
		}
	}
	d.i = len(s)
	return "", d.syntaxError("in a string")
}

// generic decodes a value into what encoding/json gives an empty
// interface: map[string]any, []any, string, float64, bool or nil.
func (d *decoder) generic() (any, error) {
	if d.i >= len(d.s) {
		return nil, d.syntaxError("looking for a value")
	}
	switch c := d.s[d.i]; {
	case c == '{':
		m := map[string]any{}
		err := d.members(func(key, _ string, _ int) error {
			val, err := d.generic()
			m[key] = val
			return err
		})
		if err != nil {
			return nil, err
		}
		return m, nil
	case c == '[':
		a := []any{}
		err := d.elements(func() error {
			val, err := d.generic()
			a = append(a, val)
			return err
		})
		if err != nil {
			return nil, err
		}
		return a, nil
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c != '-' && (c < '0' || c > '9'):
		return nil, d.syntaxError("looking for a value")
	default:
		num, err := d.number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return nil, &TypeError{Value: "number " + num, Type: reflect.TypeFor[float64](), Offset: int64(d.i - len(num))}
		}
		return f, nil
	}
}

// describe names the kind of a JSON value's text for an error message.
func describe(raw string) string {
	if raw == "" {
		return "value"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number " + raw
}
