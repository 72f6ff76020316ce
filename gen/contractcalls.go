package gen

import (
	"bytes"
	"fmt"
	"strings"
)

// ContractDir holds the contract test, which calls every operation of every
// version against a server that checks requests against the spec.
const ContractDir = "gen/contracttest"

// RenderContractCalls renders, for one version, a test file listing a call
// of every operation with every parameter set, so that the contract server
// sees each parameter encoded.
func (m *Model) RenderContractCalls(p *Package) (File, error) {
	pkg := p.Version.Pkg()
	var b bytes.Buffer
	// context and docker for every call and the function's signature; the
	// version package for its client.
	imports := importSet{ModulePath + "/" + pkg: true}
	imports.use("context")
	imports.use("docker")
	fmt.Fprintf(&b, "func init() { register(%q, calls%s) }\n\n", p.Version.Name, strings.ToUpper(pkg[:1])+pkg[1:])
	fmt.Fprintf(&b, "func calls%s(rt *docker.Client) []contractCall {\n\tc := %s.New(rt)\n\treturn []contractCall{\n", strings.ToUpper(pkg[:1])+pkg[1:], pkg)
	for _, op := range p.Ops {
		fmt.Fprintf(&b, "\t\t{%q, func(ctx context.Context) error {\n", op.ID)
		args := []string{"ctx"}
		for _, pp := range op.PathParams {
			args = append(args, sampleValue(p, pp))
		}
		if m.HasOptions[op.ID] {
			var fields []string
			for _, prm := range op.Params {
				fields = append(fields, fmt.Sprintf("%s: %s", prm.GoName, sampleValue(p, prm)))
				if q := prm.Setter.shape().samplePkg; q != "" {
					imports.use(q)
				}
			}
			args = append(args, fmt.Sprintf("%s.%s{%s}", pkg, op.OptionsName(), strings.Join(fields, ", ")))
		}
		call := fmt.Sprintf("c.%s(%s)", op.ID, strings.Join(args, ", "))
		switch op.Result.Kind {
		case ResultNone:
			fmt.Fprintf(&b, "\t\t\treturn %s\n", call)
		case ResultStream:
			fmt.Fprintf(&b, "\t\t\ts, err := %s\n\t\t\tif err != nil {\n\t\t\t\treturn err\n\t\t\t}\n", call)
			switch op.Stream {
			case StreamOutput:
				imports.use("io")
				b.WriteString("\t\t\tdefer s.Close()\n\t\t\treturn s.Demux(io.Discard, io.Discard)\n")
			case StreamJSON:
				b.WriteString("\t\t\treturn s.Wait()\n")
			case StreamBinary:
				b.WriteString("\t\t\treturn drain(s)\n")
			case StreamHijack:
				b.WriteString("\t\t\treturn exchange(s)\n")
			case StreamWebSocket:
				b.WriteString("\t\t\treturn exchangeWebSocket(s)\n")
			}
		default:
			fmt.Fprintf(&b, "\t\t\t_, err := %s\n\t\t\treturn err\n", call)
		}
		b.WriteString("\t\t}},\n")
	}
	b.WriteString("\t}\n}\n")
	name := fmt.Sprintf("calls_%s_gen_test.go", pkg)
	src, err := formatGo(name, []byte(Header+"package contracttest\n\n"+imports.block()+b.String()))
	if err != nil {
		return File{}, err
	}
	return File{Path: ContractDir + "/" + name, Content: src}, nil
}

// runtimeSamples are values of the runtime's own types, which sampleExpr
// does not know, by their spelling.
var runtimeSamples = map[string]string{
	"docker.Filters":               `docker.Filters{"label": {"x=y"}}`,
	"map[string]string":            `map[string]string{"k": "v"}`,
	"*docker.Platform":             `&docker.Platform{OS: "linux", Architecture: "amd64"}`,
	"[]docker.Platform":            `[]docker.Platform{{OS: "linux", Architecture: "amd64"}}`,
	"[]docker.BuildOutput":         `[]docker.BuildOutput{{Type: "moby"}}`,
	"*docker.AuthConfig":           `&docker.AuthConfig{Username: "u", Password: "p?>~"}`,
	"map[string]docker.AuthConfig": `map[string]docker.AuthConfig{"registry.example": {Username: "u", Password: "p"}}`,
}

// sampleValue is a Go expression of a valid, non-zero value for prm.
func sampleValue(p *Package, prm *Param) string {
	if s := prm.Setter.shape().sample; s != "" {
		return s
	}
	t, pkg := prm.GoType, p.Version.Pkg()
	if len(prm.Enum) > 0 {
		if t.Kind == GoSlice {
			return fmt.Sprintf("%s{%q}", t, prm.Enum[0])
		}
		return fmt.Sprintf("%s(%q)", t.Qualified(pkg), prm.Enum[0])
	}
	if v, ok := runtimeSamples[t.String()]; ok {
		return v
	}
	return sampleExpr(p, t, 0)
}

// sampleExpr builds a value of a package type with every required field
// set, recursively, so that a request body passes the spec's checks.
func sampleExpr(p *Package, t GoType, depth int) string {
	q := t.Qualified(p.Version.Pkg())
	switch t.Kind {
	case GoPointer:
		inner := sampleExpr(p, *t.Elem, depth)
		if typ, ok := p.Types[t.Elem.Name]; ok && t.Elem.IsLocal() && typ.Kind == KindStruct {
			return "&" + inner
		}
		return "docker.Ptr(" + inner + ")"
	case GoSlice:
		if depth > 3 {
			return q + "{}"
		}
		return q + "{" + sampleExpr(p, *t.Elem, depth+1) + "}"
	case GoMap:
		if depth > 3 {
			return q + "{}"
		}
		return q + `{"k": ` + sampleExpr(p, *t.Elem, depth+1) + "}"
	case GoBuiltin:
		switch {
		case t.Name == "string":
			return `"x"`
		case t.Name == "bool":
			return "true"
		case t.Name == "any":
			return "map[string]any{}"
		case t.Name == "struct{}":
			return "struct{}{}"
		case t.IsNumber():
			return t.Name + "(1)"
		}
	}
	typ, ok := p.Types[t.Name]
	if !t.IsLocal() || !ok {
		return q + "{}"
	}
	switch typ.Kind {
	case KindEnum:
		if typ.Underlying.Equal(typeString) {
			return fmt.Sprintf("%s(%q)", q, typ.Enum[0])
		}
		return fmt.Sprintf("%s(%s)", q, typ.Enum[0])
	case KindNamed:
		if k := typ.Underlying.Kind; k == GoSlice || k == GoMap {
			return q + "{}"
		}
		return q + "(" + sampleExpr(p, typ.Underlying, depth) + ")"
	}
	var fields []string
	if depth <= 4 {
		for _, f := range typ.Fields {
			if f.Required {
				fields = append(fields, f.GoName+": "+sampleExpr(p, f.GoType, depth+1))
			}
		}
	}
	return q + "{" + strings.Join(fields, ", ") + "}"
}
