package gen

import (
	"strings"
	"testing"
)

// TestImportsFromModel: a file imports what its declarations' Go types and
// shapes use, whatever their code or docs happen to spell.
func TestImportsFromModel(t *testing.T) {
	imports := func(s importSet) string {
		return strings.Join(strings.Fields(s.block()), " ")
	}
	const docker, gensupport = `"github.com/dockerclient/docker"`, `"github.com/dockerclient/docker/internal/gensupport"`
	for _, c := range []struct {
		name string
		got  importSet
		want string
	}{
		{"a struct of docker.X", typeImports(&Type{Kind: KindStruct, Fields: []*Field{
			{GoName: "Auth", GoType: pointerTo(dockerType("AuthConfig"))},
			{GoName: "Name", GoType: typeString},
		}}), "import ( " + docker + " )"},
		{"a struct of its own types", typeImports(&Type{Kind: KindStruct, Doc: "See docker.sock and io.Reader.", Fields: []*Field{
			{GoName: "Mounts", GoType: sliceOf(localType("Mount")), Doc: "docker.Ptr"},
		}}), ""},
		{"an enum", typeImports(&Type{Kind: KindEnum, Underlying: typeString}), ""},
		{"a named map of docker.X", typeImports(&Type{Kind: KindNamed, Underlying: mapOf(dockerType("AuthConfig"))}), "import ( " + docker + " )"},
		{"a method with no parameters", operationImports(&Operation{Description: "Talks to docker.sock.",
			Result: Result{Kind: ResultNone}}), `import ( "context" )`},
		{"a raw body", operationImports(&Operation{
			Params: []*Param{{GoType: pkgType("io", "Reader"), Setter: SetReader}},
			Result: Result{Kind: ResultJSON, GoType: pointerTo(localType("IDResponse"))},
		}), `import ( "context" "io" )`},
		{"a shape whose code calls gensupport", operationImports(&Operation{
			PathParams: []*Param{{GoType: typeString, Setter: SetPath}},
			Params:     []*Param{{GoType: pointerTo(builtinType("int")), Setter: SetQueryNumber}},
		}), `import ( "context" ` + gensupport + " )"},
		{"a stream of the package's values", operationImports(&Operation{Result: Result{Kind: ResultStream,
			GoType: func() GoType {
				s := dockerType("JSONStream")
				i := localType("EventMessage")
				s.Elem = &i
				return pointerTo(s)
			}()}}),
			`import ( "context" ` + docker + " )"},
		{"a header of docker's type", operationImports(&Operation{Result: Result{Kind: ResultHeaders,
			GoType: pointerTo(localType("XResult")), Headers: []*HeaderField{{GoType: pointerTo(dockerType("PathStat"))}}}}),
			`import ( "context" ` + docker + " )"},
	} {
		if got := imports(c.got); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestFileImports: a file's imports are its declarations' together, the
// standard library first.
func TestFileImports(t *testing.T) {
	body := string(fileBody("v141", []decl{
		{"type A struct{ X *docker.AuthConfig }\n", importSet{ModulePath: true}},
		{"func f(ctx context.Context, r io.Reader) {}\n", importSet{"context": true, "io": true}},
	}))
	want := "package v141\n\nimport (\n\t\"context\"\n\t\"io\"\n\n\t\"github.com/dockerclient/docker\"\n)\n\ntype A"
	if !strings.Contains(body, want) {
		t.Errorf("fileBody:\n%s\nwant it to contain:\n%s", body, want)
	}
	if strings.Contains(string(fileBody("v141", []decl{{"// See docker.sock.\ntype B int\n", importSet{}}})), "import") {
		t.Error("a file whose declarations use no package imports one")
	}
}
