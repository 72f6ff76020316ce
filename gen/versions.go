package gen

import (
	"fmt"

	"sort"

	"github.com/go-openapi/spec"
)

// Model is every version's package plus what is known across versions:
// when each operation, parameter, type and field first appeared.
type Model struct {
	Pkgs []*Package
	// HasOptions is true for operations that take an options struct in
	// at least one version; they take one in every version, so that a
	// method's signature does not change when a newer version adds a
	// parameter.
	HasOptions map[string]bool
}

// Load reads every spec in specDir, applies specs/fixes.yaml and builds the
// model. Versions are loaded in parallel; the result does not depend on
// scheduling.
func Load(specDir string) (*Model, error) {
	versions, err := FindSpecs(specDir)
	if err != nil {
		return nil, err
	}
	fixes, err := LoadFixes(specDir + "/fixes.yaml")
	if err != nil {
		return nil, err
	}
	pkgs := make([]*Package, len(versions))
	errs := make([]error, len(versions))
	used := make([]map[string]bool, len(versions))
	sem := make(chan struct{}, 4)
	done := make(chan int)
	for i, v := range versions {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- i }()
			sw, u, err := loadFixed(v, fixes)
			if err != nil {
				errs[i] = err
				return
			}
			used[i] = u
			pkgs[i], errs[i] = BuildPackage(v, sw)
			if errs[i] == nil {
				pkgs[i].table = specTable(v, sw)
			}
		}()
	}
	for range versions {
		<-done
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, f := range fixes {
		hit := false
		for _, u := range used {
			hit = hit || u[f.name()]
		}
		if !hit {
			return nil, fmt.Errorf("gen: fix %s in specs/fixes.yaml matches nothing in any version", f.name())
		}
	}
	m := &Model{Pkgs: pkgs}
	m.finish()
	return m, nil
}

func loadFixed(v SpecVersion, fixes []Fix) (*spec.Swagger, map[string]bool, error) {
	used := map[string]bool{}
	s, err := LoadSpecTracked(v, fixes, used)
	return s, used, err
}

// finish computes AddedIn everywhere and the options decision.
func (m *Model) finish() {
	opFirst := map[string]int{}
	paramFirst := map[string]int{}
	typeFirst := map[string]int{}
	fieldFirst := map[string]int{}
	m.HasOptions = map[string]bool{}
	for _, p := range m.Pkgs {
		minor := p.Version.Minor
		for _, op := range p.Ops {
			if _, ok := opFirst[op.ID]; !ok {
				opFirst[op.ID] = minor
			}
			if len(op.Params) > 0 {
				m.HasOptions[op.ID] = true
			}
			for _, prm := range op.Params {
				k := op.ID + "\x00" + prm.Name
				if _, ok := paramFirst[k]; !ok {
					paramFirst[k] = minor
				}
			}
		}
		for _, t := range p.Types {
			if _, ok := typeFirst[t.Name]; !ok {
				typeFirst[t.Name] = minor
			}
			for _, f := range t.Fields {
				k := t.Name + "\x00" + f.JSONName
				if _, ok := fieldFirst[k]; !ok {
					fieldFirst[k] = minor
				}
			}
		}
	}
	for _, p := range m.Pkgs {
		for _, op := range p.Ops {
			op.AddedIn = opFirst[op.ID]
			for _, prm := range op.Params {
				prm.AddedIn = paramFirst[op.ID+"\x00"+prm.Name]
			}
		}
		for _, t := range p.Types {
			t.AddedIn = typeFirst[t.Name]
			for _, f := range t.Fields {
				f.AddedIn = fieldFirst[t.Name+"\x00"+f.JSONName]
			}
		}
		assignTags(p)
	}
}

// assignTags puts each type in the file of the first operation (by tag,
// then operationId) that uses it, so container types sit with container
// operations; types no operation reaches go to types_gen.go.
func assignTags(p *Package) {
	refs := func(t GoType) []string {
		var names []string
		for _, n := range t.localNames() {
			if _, ok := p.Types[n]; ok {
				names = append(names, n)
			}
		}
		return names
	}
	var visit func(name, tag string)
	visit = func(name, tag string) {
		t := p.Types[name]
		if t == nil || t.Tag != "" {
			return
		}
		t.Tag = tag
		for _, f := range t.Fields {
			for _, r := range refs(f.GoType) {
				visit(r, tag)
			}
		}
		for _, r := range refs(t.Underlying) {
			visit(r, tag)
		}
	}
	ops := append([]*Operation(nil), p.Ops...)
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Tag < ops[j].Tag })
	for _, op := range ops {
		for _, prm := range op.Params {
			for _, r := range refs(prm.GoType) {
				visit(r, op.Tag)
			}
		}
		for _, r := range refs(op.Result.GoType) {
			visit(r, op.Tag)
		}
	}
	for _, t := range p.Types {
		if t.Tag == "" {
			t.Tag = "types"
		}
	}
}
