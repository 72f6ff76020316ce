package gen

import (
	"bytes"
	"fmt"
	"regexp"
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
	b.WriteString(Header)
	fmt.Fprintf(&b, "package contracttest\n\nimport (\n\t\"context\"\n\t\"io\"\n\t\"strings\"\n\n\t\"github.com/dockerclient/docker\"\n\t\"github.com/dockerclient/docker/%s\"\n)\n\n", pkg)
	fmt.Fprintf(&b, "var _ = strings.NewReader\nvar _ = io.Discard\n\n")
	fmt.Fprintf(&b, "func init() { register(%q, calls%s) }\n\n", p.Version.Name, strings.ToUpper(pkg[:1])+pkg[1:])
	fmt.Fprintf(&b, "func calls%s(rt *docker.Client) []contractCall {\n\tc := %s.New(rt)\n\treturn []contractCall{\n", strings.ToUpper(pkg[:1])+pkg[1:], pkg)
	q := qualifier(p)
	for _, op := range p.Ops {
		fmt.Fprintf(&b, "\t\t{%q, func(ctx context.Context) error {\n", op.ID)
		args := []string{"ctx"}
		for range op.PathParams {
			args = append(args, `"x"`)
		}
		if m.HasOptions[op.ID] {
			var fields []string
			for _, prm := range op.Params {
				fields = append(fields, fmt.Sprintf("%s: %s", prm.GoName, sampleValue(p, prm, q)))
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
	src, err := formatGo(name, b.Bytes())
	if err != nil {
		return File{}, err
	}
	return File{Path: ContractDir + "/" + name, Content: src}, nil
}

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// qualifier prefixes the package's own type names with the package name.
func qualifier(p *Package) func(string) string {
	pkg := p.Version.Pkg()
	return func(expr string) string {
		return identRE.ReplaceAllStringFunc(expr, func(w string) string {
			if _, ok := p.Types[w]; ok {
				return pkg + "." + w
			}
			return w
		})
	}
}

// sampleValue is a Go expression of a valid, non-zero value for prm.
func sampleValue(p *Package, prm *Param, q func(string) string) string {
	t := prm.GoType
	if len(prm.Enum) > 0 {
		if t == "[]string" {
			return fmt.Sprintf("[]string{%q}", prm.Enum[0])
		}
		return fmt.Sprintf("%s(%q)", q(t), prm.Enum[0])
	}
	// The runtime's own types, which sampleExpr does not know.
	switch t {
	case "docker.Filters":
		return `docker.Filters{"label": {"x=y"}}`
	case "map[string]string":
		return `map[string]string{"k": "v"}`
	case "*docker.Platform":
		return `&docker.Platform{OS: "linux", Architecture: "amd64"}`
	case "[]docker.Platform":
		return `[]docker.Platform{{OS: "linux", Architecture: "amd64"}}`
	case "[]docker.BuildOutput":
		return `[]docker.BuildOutput{{Type: "moby"}}`
	case "*docker.AuthConfig":
		return `&docker.AuthConfig{Username: "u", Password: "p?>~"}`
	case "map[string]docker.AuthConfig":
		return `map[string]docker.AuthConfig{"registry.example": {Username: "u", Password: "p"}}`
	case "io.Reader":
		return `strings.NewReader("data")`
	}
	return sampleExpr(p, t, q, 0)
}

// sampleExpr builds a value of a package type with every required field
// set, recursively, so that a request body passes the spec's checks.
func sampleExpr(p *Package, t string, q func(string) string, depth int) string {
	switch {
	case strings.HasPrefix(t, "*"):
		inner := sampleExpr(p, t[1:], q, depth)
		if _, ok := p.Types[t[1:]]; ok && p.Types[t[1:]].Kind == KindStruct {
			return "&" + inner
		}
		return "docker.Ptr(" + inner + ")"
	case strings.HasPrefix(t, "[]"):
		if depth > 3 {
			return q(t) + "{}"
		}
		return q(t) + "{" + sampleExpr(p, t[2:], q, depth+1) + "}"
	case strings.HasPrefix(t, "map[string]"):
		if depth > 3 {
			return q(t) + "{}"
		}
		return q(t) + `{"k": ` + sampleExpr(p, t[len("map[string]"):], q, depth+1) + "}"
	case t == "string":
		return `"x"`
	case t == "bool":
		return "true"
	case t == "any":
		return "map[string]any{}"
	case t == "struct{}":
		return "struct{}{}"
	case intType(t) == t || t == "float64" || t == "float32":
		return t + "(1)"
	}
	typ, ok := p.Types[t]
	if !ok {
		return t + "{}"
	}
	switch typ.Kind {
	case KindEnum:
		if typ.Underlying == "string" {
			return fmt.Sprintf("%s(%q)", q(t), typ.Enum[0])
		}
		return fmt.Sprintf("%s(%s)", q(t), typ.Enum[0])
	case KindNamed:
		if strings.HasPrefix(typ.Underlying, "[]") || strings.HasPrefix(typ.Underlying, "map[") {
			return q(t) + "{}"
		}
		return q(t) + "(" + sampleExpr(p, typ.Underlying, q, depth) + ")"
	}
	var fields []string
	if depth <= 4 {
		for _, f := range typ.Fields {
			if f.Required {
				fields = append(fields, f.GoName+": "+sampleExpr(p, f.GoType, q, depth+1))
			}
		}
	}
	return q(t) + "{" + strings.Join(fields, ", ") + "}"
}
