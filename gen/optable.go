package gen

import (
	"bytes"
	"fmt"
	"strings"
)

// RenderOpTable renders operations_gen.go in the root package: for every
// operation, the version ranges in which it has one shape, and its
// parameters. Client.Call checks arguments against it, so dynamic calls
// need no reflection over the typed packages (keeping every typed method
// of every version in one binary would cost tens of MiB).
func (m *Model) RenderOpTable() (File, error) {
	type entry struct {
		op       *Operation
		pkg      *Package
		from, to int
		sig      string
	}
	var entries []*entry
	open := map[string]*entry{}
	for _, p := range m.Pkgs {
		seen := map[string]bool{}
		for _, op := range p.Ops {
			seen[op.ID] = true
			sig := opSignature(op)
			if e := open[op.ID]; e != nil && e.sig == sig && e.to == p.Version.Minor-1 {
				e.to = p.Version.Minor
				continue
			}
			e := &entry{op: op, pkg: p, from: p.Version.Minor, to: p.Version.Minor, sig: sig}
			open[op.ID] = e
			entries = append(entries, e)
		}
		for id := range open {
			if !seen[id] {
				delete(open, id)
			}
		}
	}
	var b bytes.Buffer
	b.WriteString(Header)
	b.WriteString("package docker\n\n")
	b.WriteString("// operationTable lists every operation of every API version this SDK\n// knows, one entry per range of versions in which it keeps one shape.\n")
	b.WriteString("var operationTable = [...]opEntry{\n")
	for _, e := range entries {
		op := e.op
		fmt.Fprintf(&b, "\t{%q, %q, %q, %d, %d, %s, ", op.ID, op.Method, op.Path, e.from, e.to, resultConst(op))
		if len(op.PathParams)+len(op.Params) == 0 {
			b.WriteString("nil},\n")
			continue
		}
		b.WriteString("[]paramEntry{")
		var ps []string
		for _, p := range op.AllParams() {
			kind := p.Dyn().constName()
			if p.Dyn() == DynBody {
				switch e.pkg.jsonShape(p.GoType) {
				case shapeObject:
					kind = "kindObject"
				case shapeArray:
					kind = "kindArray"
				}
			}
			ps = append(ps, fmt.Sprintf("{%q, %s, %s, %t}", p.Name, inConst(p.In), kind, p.Required))
		}
		b.WriteString(strings.Join(ps, ", "))
		b.WriteString("}},\n")
	}
	b.WriteString("}\n")
	src, err := formatGo("operations_gen.go", b.Bytes())
	if err != nil {
		return File{}, err
	}
	return File{Path: "operations_gen.go", Content: src}, nil
}

func opSignature(op *Operation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s|", op.Method, op.Path, resultConst(op))
	for _, p := range op.AllParams() {
		fmt.Fprintf(&b, "%s,%s,%d,%t;", p.Name, p.In, p.Dyn(), p.Required)
	}
	return b.String()
}

func resultConst(op *Operation) string {
	switch op.Result.Kind {
	case ResultNone:
		return "resultNone"
	case ResultText:
		return "resultText"
	case ResultHeaders:
		return "resultHeaders"
	case ResultJSON:
		return "resultJSON"
	}
	switch op.Stream {
	case StreamHijack:
		return "resultHijack"
	case StreamWebSocket:
		return "resultWebSocket"
	case StreamJSON:
		return "resultJSONStream"
	case StreamOutput:
		return "resultOutput"
	}
	return "resultBinary"
}

func inConst(in string) string { return "in" + capitalize(in) }

// RenderVersions renders versions_gen.go in the root package: the range of
// version packages, so that a new spec in specs/ moves MaxAPIVersion (and
// negotiation's ceiling) with no hand edit.
func (m *Model) RenderVersions() (File, error) {
	first, last := m.Pkgs[0].Version, m.Pkgs[len(m.Pkgs)-1].Version
	var b bytes.Buffer
	b.WriteString(Header)
	b.WriteString("package docker\n\n")
	fmt.Fprintf(&b, "// The range of Engine API versions this SDK has a package for: %s to %s.\n", first.Pkg(), last.Pkg())
	fmt.Fprintf(&b, "const (\n\tMinAPIVersion = %q\n\tMaxAPIVersion = %q\n)\n", first.Name, last.Name)
	src, err := formatGo("versions_gen.go", b.Bytes())
	if err != nil {
		return File{}, err
	}
	return File{Path: "versions_gen.go", Content: src}, nil
}
