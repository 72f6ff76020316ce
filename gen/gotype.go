package gen

import (
	"fmt"
	"strings"
)

// GoType is a Go type expression as the model decides it. Code that needs
// to know what a type is asks the value (IsPointer, Elem, Packages); only
// Qualified spells it, so nothing takes a type apart by its spelling.
type GoType struct {
	Kind GoKind
	Name string // GoBuiltin and GoNamed: "int64", "struct{}", "ContainerSummary", "Reader"
	Pkg  string // GoNamed: the package that declares it ("docker", "io"); "" for the version package's own
	// Elem is what a pointer points to, a slice holds or a map maps to
	// (map keys are always strings); of a named type, its type argument
	// if it has one (docker.JSONStream[T]).
	Elem *GoType
	_    [0]func() // == would compare Elem pointers: use Equal
}

// GoKind is the form of a GoType.
type GoKind uint8

const (
	GoNone    GoKind = iota // no type: a method that returns only an error
	GoBuiltin               // a predeclared type, or struct{}
	GoNamed
	GoPointer
	GoSlice
	GoMap
)

func builtinType(name string) GoType  { return GoType{Kind: GoBuiltin, Name: name} }
func localType(name string) GoType    { return GoType{Kind: GoNamed, Name: name} }
func pkgType(pkg, name string) GoType { return GoType{Kind: GoNamed, Pkg: pkg, Name: name} }
func dockerType(name string) GoType   { return pkgType("docker", name) }
func pointerTo(t GoType) GoType       { return GoType{Kind: GoPointer, Elem: &t} }
func sliceOf(t GoType) GoType         { return GoType{Kind: GoSlice, Elem: &t} }
func mapOf(t GoType) GoType           { return GoType{Kind: GoMap, Elem: &t} }

// The types the generator itself names.
var (
	typeString = builtinType("string")
	typeBool   = builtinType("bool")
	typeAny    = builtinType("any")
)

// String spells t as the version package writes it.
func (t GoType) String() string { return t.Qualified("") }

// Qualified spells t with the version package's own types prefixed by
// local and a dot, as code outside the package (the contract calls)
// writes it; local "" leaves them bare.
func (t GoType) Qualified(local string) string {
	switch t.Kind {
	case GoBuiltin:
		return t.Name
	case GoNamed:
		s := t.Name
		switch {
		case t.Pkg != "":
			s = t.Pkg + "." + s
		case local != "":
			s = local + "." + s
		}
		if t.Elem != nil {
			s += "[" + t.Elem.Qualified(local) + "]"
		}
		return s
	case GoPointer:
		return "*" + t.Elem.Qualified(local)
	case GoSlice:
		return "[]" + t.Elem.Qualified(local)
	case GoMap:
		return "map[string]" + t.Elem.Qualified(local)
	}
	return ""
}

// Equal says whether t and u are the same type.
func (t GoType) Equal(u GoType) bool { return t.String() == u.String() }

func (t GoType) IsZero() bool    { return t.Kind == GoNone }
func (t GoType) IsPointer() bool { return t.Kind == GoPointer }

// Deref is what t points to, or t itself when it is not a pointer.
func (t GoType) Deref() GoType {
	if t.IsPointer() {
		return *t.Elem
	}
	return t
}

// IsLocal says whether t names one of the version package's own types.
func (t GoType) IsLocal() bool { return t.Kind == GoNamed && t.Pkg == "" }

// IsNumber says whether t is a predeclared integer or float type.
func (t GoType) IsNumber() bool {
	if t.Kind != GoBuiltin {
		return false
	}
	return t.Name == intType(t.Name) || t.Name == "float64" || t.Name == "float32"
}

// walk calls fn with t and every type inside it, outer first.
func (t GoType) walk(fn func(GoType)) {
	fn(t)
	if t.Elem != nil {
		t.Elem.walk(fn)
	}
}

// Packages lists the qualifiers of the other packages t refers to, outer
// first: what a file using t must import.
func (t GoType) Packages() []string {
	var out []string
	t.walk(func(u GoType) {
		if u.Kind == GoNamed && u.Pkg != "" {
			out = append(out, u.Pkg)
		}
	})
	return out
}

// localNames lists the version package's own types that t refers to,
// outer first.
func (t GoType) localNames() []string {
	var out []string
	t.walk(func(u GoType) {
		if u.IsLocal() {
			out = append(out, u.Name)
		}
	})
	return out
}

// builtinNames are the predeclared types ParseGoType knows; any other
// unqualified name is one of the version package's own.
var builtinNames = map[string]bool{
	"string": true, "bool": true, "any": true, "struct{}": true, "byte": true, "int": true,
	"int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true, "float32": true, "float64": true,
}

// ParseGoType reads a Go type written in specs/fixes.yaml (x-sdk-type,
// x-sdk-item): the one place a type is read from its spelling.
func ParseGoType(s string) (GoType, error) {
	switch {
	case s == "":
		return GoType{}, fmt.Errorf("empty Go type")
	case strings.HasPrefix(s, "*"):
		return parseElem(s[1:], pointerTo)
	case strings.HasPrefix(s, "[]"):
		return parseElem(s[2:], sliceOf)
	case strings.HasPrefix(s, "map[string]"):
		return parseElem(s[len("map[string]"):], mapOf)
	case builtinNames[s]:
		return builtinType(s), nil
	}
	name, arg, generic := strings.Cut(s, "[")
	t := localType(name)
	if pkg, n, ok := strings.Cut(name, "."); ok {
		t = pkgType(pkg, n)
	}
	if !isIdent(t.Name) || (t.Pkg != "" && !isIdent(t.Pkg)) {
		return GoType{}, fmt.Errorf("%q is not a Go type", s)
	}
	if _, known := importPaths[t.Pkg]; t.Pkg != "" && !known {
		return GoType{}, fmt.Errorf("%q: the generator does not know package %s's import path (gen/imports.go)", s, t.Pkg)
	}
	if generic {
		if !strings.HasSuffix(arg, "]") {
			return GoType{}, fmt.Errorf("%q is not a Go type", s)
		}
		elem, err := ParseGoType(strings.TrimSuffix(arg, "]"))
		if err != nil {
			return GoType{}, err
		}
		t.Elem = &elem
	}
	return t, nil
}

func parseElem(s string, of func(GoType) GoType) (GoType, error) {
	elem, err := ParseGoType(s)
	if err != nil {
		return GoType{}, err
	}
	return of(elem), nil
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
