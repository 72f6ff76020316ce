// Package jsoncodec encodes and decodes JSON for the SDK's runtime with the
// rules of encoding/json (struct tags, embedded fields, case-insensitive
// names, Marshaler and Unmarshaler methods, sorted map keys), so the types
// the generator writes behave as a user expects from the standard library.
//
// It exists for two measured reasons (docs/benchmarks.md):
//   - Decoding makes no allocation per unescaped string: Unmarshal copies the
//     document into one string, and every string in the result that needed no
//     unescaping is a slice of it. Listing 50 containers allocates about a
//     third of what encoding/json does. The cost is that a result keeps its
//     whole response body alive as long as any of its strings is.
//   - A program that uses the SDK does not link encoding/json's reflection
//     machinery twice over: this package is a fraction of its size.
package jsoncodec

import (
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// codec is what this package knows about one Go type, built once per type.
type codec struct {
	typ reflect.Type

	// Methods, found on the type or on a pointer to it.
	marshaler       bool // MarshalJSON() ([]byte, error)
	textMarshaler   bool // MarshalText() ([]byte, error)
	unmarshaler     bool // UnmarshalJSON([]byte) error, on the pointer
	textUnmarshaler bool // UnmarshalText([]byte) error, on the pointer, and no UnmarshalJSON
	keyText         bool // UnmarshalText on the pointer, UnmarshalJSON or not: a map key that decodes itself
	ptrMarshaler    bool // the Marshal methods need an addressable value

	elem *codec // pointer, slice, array and map element
	key  *codec // map key

	empty  reflect.Value // an empty, non-nil slice of this type, shared (it has no elements to share)
	number bool          // encoding/json's Number: a string that holds a number's text

	fields []field        // struct fields, in encoding order
	exact  map[string]int // struct field by JSON name
	folded map[string]int // struct field by case-folded JSON name
}

// field is one JSON member of a struct, possibly promoted from an embedded
// struct (then index has more than one step).
type field struct {
	name      string
	index     []int
	typ       reflect.Type
	omitEmpty bool
	omitZero  bool
	isZero    zeroTest // how ",omitzero" tests the value
	quoted    bool     // the ",string" option
	key       []byte   // `"name":`, escaped, as the encoder writes it
	tagged    bool
	codec     *codec
}

type (
	jsonMarshaler   interface{ MarshalJSON() ([]byte, error) }
	textMarshaler   interface{ MarshalText() ([]byte, error) }
	jsonUnmarshaler interface{ UnmarshalJSON([]byte) error }
	textUnmarshaler interface{ UnmarshalText([]byte) error }
)

var (
	jsonMarshalerType   = reflect.TypeFor[jsonMarshaler]()
	textMarshalerType   = reflect.TypeFor[textMarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[jsonUnmarshaler]()
	textUnmarshalerType = reflect.TypeFor[textUnmarshaler]()
)

var (
	cache   sync.Map   // reflect.Type -> *codec, complete ones only
	buildMu sync.Mutex // one builder at a time, so recursive types resolve
)

// codecFor returns the codec of t, building it (and those of the types it
// contains) on first use.
func codecFor(t reflect.Type) *codec {
	if c, ok := cache.Load(t); ok {
		return c.(*codec)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	building := map[reflect.Type]*codec{}
	c := build(t, building)
	for t, c := range building {
		cache.Store(t, c)
	}
	return c
}

func build(t reflect.Type, building map[reflect.Type]*codec) *codec {
	if c, ok := cache.Load(t); ok {
		return c.(*codec)
	}
	if c, ok := building[t]; ok {
		return c // a recursive type: filled in further up the stack
	}
	c := &codec{typ: t}
	// json.Number is matched by name, so that this package need not link
	// encoding/json.
	c.number = t.Kind() == reflect.String && t.Name() == "Number" && t.PkgPath() == "encoding/json"
	building[t] = c
	pt := reflect.PointerTo(t)
	switch {
	case t.Implements(jsonMarshalerType):
		c.marshaler = true
	case t.Kind() != reflect.Pointer && pt.Implements(jsonMarshalerType):
		c.marshaler, c.ptrMarshaler = true, true
	case t.Implements(textMarshalerType):
		c.textMarshaler = true
	case t.Kind() != reflect.Pointer && pt.Implements(textMarshalerType):
		c.textMarshaler, c.ptrMarshaler = true, true
	}
	c.unmarshaler = pt.Implements(jsonUnmarshalerType)
	c.keyText = pt.Implements(textUnmarshalerType)
	c.textUnmarshaler = !c.unmarshaler && c.keyText

	switch t.Kind() {
	case reflect.Slice:
		c.elem = build(t.Elem(), building)
		c.empty = reflect.MakeSlice(t, 0, 0)
	case reflect.Pointer, reflect.Array:
		c.elem = build(t.Elem(), building)
	case reflect.Map:
		c.key = build(t.Key(), building)
		c.elem = build(t.Elem(), building)
	case reflect.Struct:
		c.fields = structFields(t)
		c.exact = make(map[string]int, len(c.fields))
		c.folded = make(map[string]int, len(c.fields))
		for i := range c.fields {
			f := &c.fields[i]
			f.codec = build(f.typ, building)
			f.key = append(appendString(nil, f.name), ':')
			if f.omitZero {
				f.isZero = zeroTestOf(f.typ)
			}
			c.exact[f.name] = i
			if _, dup := c.folded[foldName(f.name)]; !dup {
				c.folded[foldName(f.name)] = i
			}
		}
	}
	return c
}

// structFields lists the JSON members of struct type t as encoding/json
// does: exported fields, tag names, fields of embedded structs promoted
// unless a shallower or uniquely tagged field of the same name wins.
func structFields(t reflect.Type) []field {
	type level struct {
		typ   reflect.Type
		index []int
	}
	var fields []field
	current := []level{}
	next := []level{{typ: t}}
	visited := map[reflect.Type]bool{}
	count := map[reflect.Type]int{}
	nextCount := map[reflect.Type]int{}
	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, lv := range current {
			if visited[lv.typ] {
				continue
			}
			visited[lv.typ] = true
			for i := 0; i < lv.typ.NumField(); i++ {
				sf := lv.typ.Field(i)
				if sf.Anonymous {
					ft := sf.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(append([]int(nil), lv.index...), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				quoted := false
				if hasOption(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64, reflect.String:
						quoted = true
					}
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := field{
						name:      name,
						tagged:    name != "",
						index:     index,
						typ:       sf.Type,
						omitEmpty: hasOption(opts, "omitempty"),
						omitZero:  hasOption(opts, "omitzero"),
						quoted:    quoted,
					}
					if f.name == "" {
						f.name = sf.Name
					}
					fields = append(fields, f)
					if count[lv.typ] > 1 {
						// Two embeddings of one type at one depth: they
						// annihilate each other; keep one so the
						// dominance pass below drops both names.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index})
				}
			}
		}
	}

	sortFields(fields, func(a, b *field) bool {
		if a.name != b.name {
			return a.name < b.name
		}
		if len(a.index) != len(b.index) {
			return len(a.index) < len(b.index)
		}
		return a.tagged && !b.tagged
	})
	out := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		if f, ok := dominant(fields[i:j]); ok {
			out = append(out, f)
		}
		i = j
	}
	sortFields(out, func(a, b *field) bool { return indexLess(a.index, b.index) })
	return out
}

// sortFields is a stable insertion sort: a struct has tens of fields and is
// sorted once, and sort.SliceStable would link kilobytes for it.
func sortFields(fs []field, less func(a, b *field) bool) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && less(&fs[j], &fs[j-1]); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// dominant picks the field that wins among fields of one name, sorted by
// depth then tag: the only shallowest one, or the only tagged one of those.
func dominant(fs []field) (field, bool) {
	if len(fs) > 1 && len(fs[0].index) == len(fs[1].index) && fs[0].tagged == fs[1].tagged {
		return field{}, false
	}
	return fs[0], true
}

func indexLess(a, b []int) bool {
	for k := range a {
		if k >= len(b) {
			return false
		}
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return len(a) < len(b)
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// validTagName accepts the names encoding/json accepts in a tag.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// foldName is the key under which a member name matches a field name
// without regard to case, as encoding/json folds it: ASCII letters to upper
// case, any other rune to the smallest rune of its case-folding orbit (so
// "å", "Å" and the Ångström sign match, and "ı" matches neither "i" nor "I").
func foldName(name string) string {
	ascii := true
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(name)
	}
	var b strings.Builder
	for _, r := range name {
		if r < utf8.RuneSelf {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(foldRune(r))
		}
	}
	return b.String()
}

// foldRune returns the smallest rune of r's case-folding orbit.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
