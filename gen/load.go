// Package gen turns Docker's Engine API Swagger specs into one Go package
// per API version. It loads every version (after applying the fixes listed
// in specs/fixes.yaml), builds one model of every operation and type across
// all versions, and renders Go source from it.
package gen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/go-openapi/spec"
	"gopkg.in/yaml.v3"
)

// SpecVersion is one spec file: "1.41" and its minor number 41.
type SpecVersion struct {
	Name  string // "1.41"
	Minor int    // 41
	File  string
}

// Pkg is the Go package name of a version: v141.
func (v SpecVersion) Pkg() string { return "v1" + strconv.Itoa(v.Minor) }

var specFileRE = regexp.MustCompile(`^v1\.(\d+)\.yaml$`)

// FindSpecs lists the spec files in dir in version order.
func FindSpecs(dir string) ([]SpecVersion, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []SpecVersion
	for _, e := range entries {
		m := specFileRE.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		out = append(out, SpecVersion{Name: "1." + m[1], Minor: n, File: filepath.Join(dir, e.Name())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Minor < out[j].Minor })
	if len(out) == 0 {
		return nil, fmt.Errorf("gen: no v1.NN.yaml specs in %s (run `make specs`)", dir)
	}
	return out, nil
}

// LoadSpec reads one version's spec, applies the fixes that concern it, and
// returns it as go-openapi's Swagger 2.0 model.
func LoadSpec(v SpecVersion, fixes []Fix) (*spec.Swagger, error) {
	return LoadSpecTracked(v, fixes, map[string]bool{})
}

// LoadSpecTracked is LoadSpec that also records which fixes applied.
func LoadSpecTracked(v SpecVersion, fixes []Fix, used map[string]bool) (*spec.Swagger, error) {
	root, err := readRaw(v.File)
	if err != nil {
		return nil, err
	}
	// The format first: a fix that names a definition would fail on an
	// OpenAPI 3 file with "no definition", which says nothing of the cause.
	if err := checkSwagger2(v.File, root); err != nil {
		return nil, err
	}
	other := func(version string) (map[string]any, error) {
		return readRaw(filepath.Join(filepath.Dir(v.File), "v"+version+".yaml"))
	}
	if err := ApplyFixes(root, v, fixes, used, other); err != nil {
		return nil, err
	}
	js, err := json.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("gen: %s: %w", v.File, err)
	}
	// go-openapi/spec's own unmarshalling; loads.Analyzed would also build
	// an index this generator does not use, at twice the cost.
	sw := new(spec.Swagger)
	if err := json.Unmarshal(js, sw); err != nil {
		return nil, fmt.Errorf("gen: %s: %w", v.File, err)
	}
	if sw.Swagger != "2.0" {
		return nil, fmt.Errorf("gen: %s: not a Swagger 2.0 document (swagger: %q)", v.File, sw.Swagger)
	}
	return sw, nil
}

// checkSwagger2 refuses a spec that is not Swagger 2.0, naming what it is.
// Docker's docs/v1.NN.yaml is OpenAPI 3 from 1.57; its Swagger 2.0 copy is
// docs/v1.NN-swagger.yaml, which scripts/fetch-specs.sh takes.
func checkSwagger2(file string, root map[string]any) error {
	if v, ok := root["swagger"]; ok && fmt.Sprint(v) == "2.0" {
		return nil
	}
	if v, ok := root["openapi"]; ok {
		return fmt.Errorf("gen: %s: an OpenAPI %v document; the generator reads Swagger 2.0 "+
			"(the module's docs/v1.NN-swagger.yaml: run `make specs`)", file, v)
	}
	if v, ok := root["swagger"]; ok {
		return fmt.Errorf("gen: %s: swagger %q, want \"2.0\"", file, fmt.Sprint(v))
	}
	return fmt.Errorf("gen: %s: neither a swagger nor an openapi field: not an API spec", file)
}

// readRaw reads a spec file as generic YAML.
func readRaw(file string) (map[string]any, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("gen: %s: %w", file, err)
	}
	root, ok := normalizeYAML(doc).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("gen: %s: not a YAML mapping", file)
	}
	return root, nil
}

// normalizeYAML turns YAML's map[any]any (from unquoted keys such as 200)
// into map[string]any so that the document marshals as JSON.
func normalizeYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeYAML(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalizeYAML(e)
		}
		return x
	}
	return v
}
