package jsoncodec

import (
	"encoding/base64"
	"errors"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Marshal returns the JSON encoding of v, byte for byte what
// encoding/json.Marshal returns for it, errors included in substance.
func Marshal(v any) ([]byte, error) {
	e := newEncodeState()
	err := e.marshal(v)
	var out []byte
	if err == nil {
		// One allocation of the exact size; the working buffer goes back
		// to the pool.
		out = append([]byte(nil), e.buf...)
	}
	e.release()
	return out, err
}

// AppendMarshal appends the JSON encoding of v to dst. On error it returns
// dst unchanged in length (its spare capacity may have been written).
func AppendMarshal(dst []byte, v any) ([]byte, error) {
	e := newEncodeState()
	own := e.buf
	e.buf = dst
	err := e.marshal(v)
	out := e.buf
	e.buf = own
	e.release()
	if err != nil {
		return dst, err
	}
	return out, nil
}

// encodeState is the working memory of one Marshal call, pooled.
type encodeState struct {
	buf     []byte
	scratch []byte     // the inner encoding of a ",string" string
	keys    []mapEntry // map keys being sorted; a stack shared by nested maps
	sorter  byKey      // the keys of the map being sorted, for sort.Sort
	maps    map[reflect.Type]*mapScratch

	// Cycle detection as encoding/json does it: count nested pointers,
	// maps and slices, and only past startDetectingCyclesAfter remember
	// which ones are open, so that the common case costs no map work.
	ptrLevel uint
	ptrSeen  map[any]struct{}
}

// mapEntry is a map key's JSON name and the position of its value.
type mapEntry struct {
	key string
	i   int
}

const (
	startDetectingCyclesAfter = 1000
	maxPooledBuffer           = 1 << 20 // larger buffers are left to the GC
)

var encodePool = sync.Pool{New: func() any { return new(encodeState) }}

func newEncodeState() *encodeState {
	e := encodePool.Get().(*encodeState)
	e.buf = e.buf[:0]
	return e
}

func (e *encodeState) release() {
	if cap(e.buf) > maxPooledBuffer {
		e.buf = nil
	}
	if cap(e.scratch) > maxPooledBuffer {
		e.scratch = nil
	}
	// Drop references into the caller's maps (left after an error) so the
	// pool keeps none alive.
	clear(e.keys)
	e.keys = e.keys[:0]
	clear(e.ptrSeen)
	e.ptrLevel = 0
	for t, ms := range e.maps {
		// After an error values may be left on a stack: drop them.
		if ms.vals.Len() > 0 || ms.vals.Cap() > maxPooledValues {
			delete(e.maps, t)
		}
	}
	encodePool.Put(e)
}

func (e *encodeState) marshal(v any) error {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	// Like encoding/json, the top-level value is not addressable: methods
	// on its pointer type do not apply.
	return e.value(rv, codecFor(rv.Type()), false, false)
}

// value appends the encoding of v, whose codec is c. addr tells whether v
// counts as addressable by encoding/json's rules (reached through a pointer
// or a slice, not through a map or an interface), which decides whether
// MarshalJSON and MarshalText methods on *T apply. quoted is the ",string"
// option of the struct field being encoded.
func (e *encodeState) value(v reflect.Value, c *codec, addr, quoted bool) error {
	if c.marshaler || c.textMarshaler {
		switch {
		case !c.ptrMarshaler:
			if c.marshaler {
				return e.marshalJSON(v, receiver(v, addr))
			}
			return e.marshalText(v, receiver(v, addr))
		case addr:
			if c.marshaler {
				return e.marshalJSON(v, v.Addr().Interface())
			}
			return e.marshalText(v, v.Addr().Interface())
		case c.marshaler && c.typ.Implements(textMarshalerType):
			// MarshalJSON is on *T only and v is not addressable; then
			// encoding/json falls back to a MarshalText on T.
			return e.marshalText(v, receiver(v, false))
		}
		// Methods on *T only, v not addressable: encode by kind.
	}

	switch v.Kind() {
	case reflect.Bool:
		e.quote(quoted)
		e.buf = strconv.AppendBool(e.buf, v.Bool())
		e.quote(quoted)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.quote(quoted)
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
		e.quote(quoted)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.quote(quoted)
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
		e.quote(quoted)
	case reflect.Float32:
		return e.float(v, 32, quoted)
	case reflect.Float64:
		return e.float(v, 64, quoted)
	case reflect.String:
		return e.string(v, c, quoted)
	case reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		v = v.Elem()
		// encoding/json passes the field's options on to the dynamic value.
		return e.value(v, codecFor(v.Type()), false, quoted)
	case reflect.Struct:
		return e.structValue(v, c, addr)
	case reflect.Map:
		return e.mapValue(v, c)
	case reflect.Slice:
		return e.slice(v, c)
	case reflect.Array:
		return e.elements(v, c, addr)
	case reflect.Pointer:
		return e.pointer(v, c, quoted)
	default:
		return &UnsupportedTypeError{Type: v.Type()}
	}
	return nil
}

func (e *encodeState) pointer(v reflect.Value, c *codec, quoted bool) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if e.ptrLevel++; e.ptrLevel > startDetectingCyclesAfter {
		key := v.Interface()
		if err := e.enter(key, v); err != nil {
			return err
		}
		defer delete(e.ptrSeen, key)
	}
	if err := e.value(v.Elem(), c.elem, true, quoted); err != nil {
		return err
	}
	e.ptrLevel--
	return nil
}

func (e *encodeState) quote(quoted bool) {
	if quoted {
		e.buf = append(e.buf, '"')
	}
}

// enter records an open pointer, map or slice past the depth at which
// cycles are looked for, and fails if it is open already.
func (e *encodeState) enter(key any, v reflect.Value) error {
	if _, ok := e.ptrSeen[key]; ok {
		return &UnsupportedValueError{Value: v, Str: "encountered a cycle via " + v.Type().String()}
	}
	if e.ptrSeen == nil {
		e.ptrSeen = make(map[any]struct{})
	}
	e.ptrSeen[key] = struct{}{}
	return nil
}

// receiver returns v as an interface value to call a method of T on. When
// v is addressable its address is used, which avoids boxing a copy of v
// (the method set of *T includes that of T).
func receiver(v reflect.Value, addr bool) any {
	if addr && v.Kind() != reflect.Interface && v.Kind() != reflect.Pointer && v.CanAddr() {
		return v.Addr().Interface()
	}
	return v.Interface()
}

// marshalJSON appends what v's MarshalJSON returns, called on recv (v or
// its address).
func (e *encodeState) marshalJSON(v reflect.Value, recv any) error {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	m, ok := recv.(jsonMarshaler)
	if !ok { // a nil interface of a Marshaler interface type
		e.buf = append(e.buf, "null"...)
		return nil
	}
	b, err := m.MarshalJSON()
	if err == nil {
		e.buf, err = compactJSON(e.buf, b)
	}
	if err != nil {
		return &MarshalerError{Type: v.Type(), Err: err, sourceFunc: "MarshalJSON"}
	}
	return nil
}

func (e *encodeState) marshalText(v reflect.Value, recv any) error {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	m, ok := recv.(textMarshaler)
	if !ok {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	b, err := m.MarshalText()
	if err != nil {
		return &MarshalerError{Type: v.Type(), Err: err, sourceFunc: "MarshalText"}
	}
	e.buf = appendString(e.buf, string(b))
	return nil
}

func (e *encodeState) float(v reflect.Value, bits int, quoted bool) error {
	f := v.Float()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return &UnsupportedValueError{Value: v, Str: strconv.FormatFloat(f, 'g', -1, bits)}
	}
	e.quote(quoted)
	e.buf = appendFloat(e.buf, f, bits)
	e.quote(quoted)
	return nil
}

// appendFloat formats f as ES6 does, as encoding/json does: like %g but
// with exponent cutoffs at 1e-6 and 1e21 and no exponent padding.
func appendFloat(b []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	// The cutoffs compare in the value's own precision.
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// e-07 to e-7
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func (e *encodeState) string(v reflect.Value, c *codec, quoted bool) error {
	s := v.String()
	if c.number {
		if s == "" {
			s = "0" // the zero Number, as encoding/json writes it
		}
		if !validNumber(s) {
			return errors.New("json: invalid number literal " + strconv.Quote(s))
		}
		e.quote(quoted)
		e.buf = append(e.buf, s...)
		e.quote(quoted)
		return nil
	}
	if quoted {
		// The string's JSON encoding, encoded again as a string.
		e.scratch = appendString(e.scratch[:0], s)
		e.buf = appendString(e.buf, string(e.scratch))
		return nil
	}
	e.buf = appendString(e.buf, s)
	return nil
}

// zeroTest is how the ",omitzero" option decides, after encoding/json:
// an IsZero method if the type has one, else reflect's zero test.
type zeroTest uint8

const (
	zeroReflect   zeroTest = iota
	zeroInterface          // an interface type with IsZero: nil is zero too
	zeroPointer            // a pointer type with IsZero: nil is zero too
	zeroMethod             // IsZero on T
	zeroPtrMethod          // IsZero on *T only
)

type isZeroer interface{ IsZero() bool }

var isZeroerType = reflect.TypeFor[isZeroer]()

// zeroTestOf is how ",omitzero" tests a field of type t.
func zeroTestOf(t reflect.Type) zeroTest {
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return zeroInterface
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return zeroPointer
	case t.Implements(isZeroerType):
		return zeroMethod
	case reflect.PointerTo(t).Implements(isZeroerType):
		return zeroPtrMethod
	}
	return zeroReflect
}

func (e *encodeState) structValue(v reflect.Value, c *codec, addr bool) error {
	e.buf = append(e.buf, '{')
	first := true
fields:
	for i := range c.fields {
		f := &c.fields[i]
		fv, faddr := v, addr
		for _, x := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue fields // promoted through a nil embedded pointer
				}
				fv, faddr = fv.Elem(), true
			}
			fv = fv.Field(x)
		}
		if f.omitEmpty && isEmptyValue(fv) || f.omitZero && isZero(fv, f.isZero) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, f.key...)
		if err := e.value(fv, f.codec, faddr, f.quoted); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// isEmptyValue is encoding/json's test for ",omitempty".
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func isZero(v reflect.Value, how zeroTest) bool {
	switch how {
	case zeroInterface:
		return v.IsNil() ||
			v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() ||
			v.Interface().(isZeroer).IsZero()
	case zeroPointer:
		return v.IsNil() || v.Interface().(isZeroer).IsZero()
	case zeroMethod:
		return receiver(v, true).(isZeroer).IsZero()
	case zeroPtrMethod:
		if !v.CanAddr() {
			// Box a copy to have an address, as encoding/json does.
			v2 := reflect.New(v.Type()).Elem()
			v2.Set(v)
			v = v2
		}
		return v.Addr().Interface().(isZeroer).IsZero()
	}
	return v.IsZero()
}

func (e *encodeState) mapValue(v reflect.Value, c *codec) error {
	// The key type is checked before nil, as encoding/json rejects a map
	// type, not a map value.
	var textKeys bool
	switch c.key.typ.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		textKeys = c.key.typ.Kind() != reflect.String && c.key.typ.Implements(textMarshalerType)
	default:
		if !c.key.typ.Implements(textMarshalerType) {
			return &UnsupportedTypeError{Type: v.Type()}
		}
		textKeys = true
	}
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if e.ptrLevel++; e.ptrLevel > startDetectingCyclesAfter {
		key := v.UnsafePointer()
		if err := e.enter(key, v); err != nil {
			return err
		}
		defer delete(e.ptrSeen, key)
	}

	n := v.Len()
	if n == 0 {
		e.buf = append(e.buf, "{}"...)
		e.ptrLevel--
		return nil
	}

	// Copy the values out (MapIter.Value would allocate each one) onto
	// this map type's stack of values, and sort the keys' names. The
	// copies are addressable to reflect, but value is told addr=false for
	// them: map values are not addressable to encoding/json.
	ms := e.mapScratch(v.Type())
	vals, base := ms.vals, ms.vals.Len()
	vals.Grow(n)
	vals.SetLen(base + n)
	kbase := len(e.keys)
	var it reflect.MapIter
	it.Reset(v)
	for i := 0; it.Next(); i++ {
		ms.key.SetIterKey(&it)
		vals.Index(base + i).SetIterValue(&it)
		name, err := keyName(ms.key, textKeys)
		if err != nil {
			return errors.New("json: encoding error for type " + strconv.Quote(v.Type().String()) + ": " + strconv.Quote(err.Error()))
		}
		e.keys = append(e.keys, mapEntry{name, base + i})
	}
	ms.key.SetZero()
	e.sorter = e.keys[kbase:]
	sort.Sort(&e.sorter) // a pointer to a field: no allocation to box it
	e.sorter = nil

	e.buf = append(e.buf, '{')
	for j := 0; j < n; j++ {
		// Nested maps grow both stacks: index them afresh each time.
		ent := e.keys[kbase+j]
		if j > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, ent.key)
		e.buf = append(e.buf, ':')
		ev := vals.Index(ent.i)
		if err := e.value(ev, c.elem, false, false); err != nil {
			return err
		}
		ev.SetZero() // hold no reference from the pool
	}
	e.buf = append(e.buf, '}')
	vals.SetLen(base)
	clear(e.keys[kbase:])
	e.keys = e.keys[:kbase]
	e.ptrLevel--
	return nil
}

// mapScratch holds, for one map type, a reusable key and a stack of
// values shared by the maps of that type being encoded (nested ones push
// above their parent's values).
type mapScratch struct {
	key  reflect.Value // settable
	vals reflect.Value // a settable []elem
}

// maxPooledValues bounds the stack of values kept when a state is pooled.
const maxPooledValues = 1024

func (e *encodeState) mapScratch(t reflect.Type) *mapScratch {
	if ms, ok := e.maps[t]; ok {
		return ms
	}
	if e.maps == nil {
		e.maps = make(map[reflect.Type]*mapScratch)
	}
	ms := &mapScratch{
		key:  reflect.New(t.Key()).Elem(),
		vals: reflect.New(reflect.SliceOf(t.Elem())).Elem(),
	}
	e.maps[t] = ms
	return ms
}

// byKey sorts map entries by name. sort.Sort rather than slices.SortFunc:
// a program links sort's one pdqsort anyway, and a generic one per type
// costs kilobytes.
type byKey []mapEntry

func (k *byKey) Len() int           { return len(*k) }
func (k *byKey) Less(i, j int) bool { return (*k)[i].key < (*k)[j].key }
func (k *byKey) Swap(i, j int)      { (*k)[i], (*k)[j] = (*k)[j], (*k)[i] }

// keyName is the JSON name of map key k: a string kind as is, else
// MarshalText's result, else the integer in decimal.
func keyName(k reflect.Value, text bool) (string, error) {
	if k.Kind() == reflect.String {
		// Strings are immutable: the name can point into the map's key
		// even though k is reused.
		return k.String(), nil
	}
	if text {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := k.Interface().(textMarshaler).MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	default:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
}

func (e *encodeState) slice(v reflect.Value, c *codec) error {
	// A slice of bytes is base64 unless the element type marshals itself
	// (encoding/json's rule; arrays of bytes stay arrays of numbers).
	bytes := c.elem.typ.Kind() == reflect.Uint8 && !c.elem.marshaler && !c.elem.textMarshaler
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if bytes {
		e.buf = append(e.buf, '"')
		e.buf = base64.StdEncoding.AppendEncode(e.buf, v.Bytes())
		e.buf = append(e.buf, '"')
		return nil
	}
	if e.ptrLevel++; e.ptrLevel > startDetectingCyclesAfter {
		// A slice is the same one if it starts at the same element and
		// has the same length.
		key := struct {
			ptr any
			len int
		}{v.UnsafePointer(), v.Len()}
		if err := e.enter(key, v); err != nil {
			return err
		}
		defer delete(e.ptrSeen, key)
	}
	if err := e.elements(v, c, true); err != nil {
		return err
	}
	e.ptrLevel--
	return nil
}

// elements appends the JSON array of a slice's or an array's elements;
// addr is whether they count as addressable.
func (e *encodeState) elements(v reflect.Value, c *codec, addr bool) error {
	e.buf = append(e.buf, '[')
	for i, n := 0, v.Len(); i < n; i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(v.Index(i), c.elem, addr, false); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

const hexDigits = "0123456789abcdef"

// htmlSafe marks the ASCII bytes a string can hold unescaped: not control
// characters, quote or backslash, and not <, > or & (escaped so that JSON
// can be embedded in HTML, as encoding/json.Marshal does).
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for b := byte(' '); b < utf8.RuneSelf; b++ {
		t[b] = !strings.ContainsRune("\"\\<>&", rune(b))
	}
	return t
}()

// appendString appends s as a JSON string with encoding/json's escapes:
// short forms for \b \f \n \r \t, \u00XX for other control characters
// and <, >, &, \u2028 and \u2029 for the JavaScript line separators, and
// \ufffd for each byte of invalid UTF-8.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if htmlSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		// Convert at most UTFMax bytes, so the conversion stays on the stack.
		n := min(len(s)-i, utf8.UTFMax)
		r, size := utf8.DecodeRuneInString(s[i : i+n])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// compactJSON appends src, which must be one JSON value, to dst with the
// insignificant white space removed and <, >, &, U+2028 and U+2029 escaped,
// as encoding/json does with what a MarshalJSON method returns. On a syntax
// error it returns dst as it was and the error.
func compactJSON(dst, src []byte) ([]byte, error) {
	d := decoder{s: string(src)}
	d.skipSpace()
	if _, err := d.skip(); err != nil {
		return dst, err
	}
	if d.skipSpace(); d.i < len(d.s) {
		return dst, d.syntaxError("after the top-level value")
	}
	inStr, esc := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case !inStr:
			switch c {
			case ' ', '\t', '\n', '\r':
				continue
			case '"':
				inStr = true
			}
		case esc:
			esc = false
		case c == '\\':
			esc = true
		case c == '"':
			inStr = false
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			continue
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8: // U+2028, U+2029
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[src[i+2]&0xF])
			i += 2
			continue
		}
		dst = append(dst, c)
	}
	return dst, nil
}

// An UnsupportedTypeError is returned by Marshal for a value of a type it
// cannot encode, such as a channel, a function or a complex number.
type UnsupportedTypeError struct {
	Type reflect.Type
}

func (e *UnsupportedTypeError) Error() string {
	return "json: unsupported type: " + e.Type.String()
}

// An UnsupportedValueError is returned by Marshal for a value it cannot
// encode: a NaN or infinite float, or a cycle of pointers.
type UnsupportedValueError struct {
	Value reflect.Value
	Str   string
}

func (e *UnsupportedValueError) Error() string {
	return "json: unsupported value: " + e.Str
}

// A MarshalerError is returned by Marshal when a MarshalJSON or MarshalText
// method fails or MarshalJSON returns invalid JSON.
type MarshalerError struct {
	Type       reflect.Type
	Err        error
	sourceFunc string
}

func (e *MarshalerError) Error() string {
	return "json: error calling " + e.sourceFunc + " for type " + e.Type.String() + ": " + e.Err.Error()
}

// Unwrap returns the method's error.
func (e *MarshalerError) Unwrap() error { return e.Err }
