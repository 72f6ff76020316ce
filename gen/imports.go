package gen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// importPaths are the packages generated code may refer to, by the
// qualifier it writes; a GoType from any other package is refused when
// specs/fixes.yaml names it (ParseGoType).
var importPaths = map[string]string{
	"context":    "context",
	"io":         "io",
	"strings":    "strings",
	"docker":     ModulePath,
	"gensupport": ModulePath + "/internal/gensupport",
}

// importSet is what a generated file imports, by import path. It is
// decided from the model a file renders (the Go types and shapes of its
// declarations), never by searching the rendered code.
type importSet map[string]bool

// use records that the code refers to the package qualified as q.
func (s importSet) use(q string) {
	path, ok := importPaths[q]
	if !ok {
		panic("gen: no import path for package " + q)
	}
	s[path] = true
}

// useType records the packages that t refers to.
func (s importSet) useType(t GoType) {
	for _, q := range t.Packages() {
		s.use(q)
	}
}

func (s importSet) merge(o importSet) {
	for path := range o {
		s[path] = true
	}
}

// block renders the import declaration: the standard library, then the
// SDK's packages.
func (s importSet) block() string {
	var std, sdk []string
	for path := range s {
		if strings.Contains(path, ".") {
			sdk = append(sdk, "\t"+strconv.Quote(path))
		} else {
			std = append(std, "\t"+strconv.Quote(path))
		}
	}
	sort.Strings(std)
	sort.Strings(sdk)
	var groups []string
	for _, g := range [][]string{std, sdk} {
		if len(g) > 0 {
			groups = append(groups, strings.Join(g, "\n"))
		}
	}
	if len(groups) == 0 {
		return ""
	}
	return fmt.Sprintf("import (\n%s\n)\n\n", strings.Join(groups, "\n\n"))
}

// operationImports is what an operation's options, result and method
// refer to.
func operationImports(op *Operation) importSet {
	s := importSet{}
	s.use("context") // every method takes a context
	for _, p := range op.AllParams() {
		s.useType(p.GoType)
		if p.Setter.shape().gensupport {
			s.use("gensupport")
		}
	}
	s.useType(op.Result.GoType)
	for _, h := range op.Result.Headers {
		s.useType(h.GoType)
	}
	return s
}

// typeImports is what a type's declaration refers to.
func typeImports(t *Type) importSet {
	s := importSet{}
	s.useType(t.Underlying)
	for _, f := range t.Fields {
		s.useType(f.GoType)
	}
	return s
}
