package apispec

import (
	"strings"
	"testing"
)

// TestEveryVersionDecodes decodes every version and checks that each $ref
// names a definition of the same version.
func TestEveryVersionDecodes(t *testing.T) {
	vs := Versions()
	if len(vs) == 0 || vs[0] != "1.25" {
		t.Fatalf("versions %v", vs)
	}
	for _, v := range vs {
		s, err := Load(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Ops) < 90 || len(s.Definitions) < 50 {
			t.Errorf("v%s: %d operations, %d definitions", v, len(s.Ops), len(s.Definitions))
		}
		var walk func(sc *Schema, at string)
		walk = func(sc *Schema, at string) {
			if sc == nil {
				return
			}
			if sc.Ref != "" && s.Definitions[sc.Ref] == nil {
				t.Errorf("v%s: %s: $ref %q names no definition", v, at, sc.Ref)
			}
			for k, p := range sc.Properties {
				walk(p, at+"."+k)
			}
			walk(sc.Additional, at+".*")
			walk(sc.Items, at+"[]")
			for _, a := range sc.AllOf {
				walk(a, at)
			}
		}
		for name, d := range s.Definitions {
			walk(d, name)
		}
		for _, op := range s.Ops {
			for _, p := range op.Params {
				walk(p.Schema, op.ID+"."+p.Name)
			}
			for code, r := range op.Responses {
				walk(r.Schema, op.ID+" "+code)
			}
		}
	}
}

func TestLoadUnknownVersion(t *testing.T) {
	_, err := Load("1.12")
	if err == nil || !strings.Contains(err.Error(), `"1.12"`) || !strings.Contains(err.Error(), "1.25 to") {
		t.Errorf("Load(1.12): %v", err)
	}
}
