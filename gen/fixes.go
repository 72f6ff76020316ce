package gen

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Fix is one entry of specs/fixes.yaml: a defect of Docker's specs, where it
// is, what replaces it, and why.
type Fix struct {
	ID       string         `yaml:"id"`
	Reason   string         `yaml:"reason"`
	Versions string         `yaml:"versions"` // "1.25-1.36", "1.40", "1.44-"; empty means every version that has the target
	Op       string         `yaml:"operation"`
	Ops      []string       `yaml:"operations"` // the same fix for each; LoadFixes makes one Fix per operation
	Param    string         `yaml:"parameter"`
	Response string         `yaml:"response"`
	Def      string         `yaml:"definition"`
	Property string         `yaml:"property"` // a/b/c through properties; [] steps into items
	Schema   bool           `yaml:"schema"`   // target the parameter's or response's schema
	Set      map[string]any `yaml:"set"`
	Delete   []string       `yaml:"delete"`
	Add      map[string]any `yaml:"add"`      // a whole new response or parameter
	Rename   string         `yaml:"rename"`   // a definition's new name; every $ref follows
	Hoist    string         `yaml:"hoist"`    // "items": replace the target by its items schema
	Replace  map[string]any `yaml:"replace"`  // the target's whole new content
	Extract  string         `yaml:"extract"`  // move an inline schema to definitions under this name; leave a $ref
	CopyFrom string         `yaml:"copyFrom"` // copy the definition (and what it refers to) from this version's spec

	listed bool // one operation of an operations list
}

// name is how messages (and the record of which fixes matched) name the
// fix: its id, and its operation when it is one of a list, so that each
// operation of a list must match.
func (f Fix) name() string {
	if f.listed {
		return fmt.Sprintf("%q (operation %s)", f.ID, f.Op)
	}
	return strconv.Quote(f.ID)
}

// RawSpec reads another version's unfixed spec, for copyFrom.
type RawSpec func(version string) (map[string]any, error)

// LoadFixes reads specs/fixes.yaml.
func LoadFixes(path string) ([]Fix, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseFixes(path, b)
}

// parseFixes reads a fixes file, checks each fix, and expands an
// operations list into one fix per operation, in place.
func parseFixes(path string, src []byte) ([]Fix, error) {
	var entries []Fix
	if err := yaml.Unmarshal(src, &entries); err != nil {
		return nil, fmt.Errorf("gen: %s: %w", path, err)
	}
	seen := map[string]bool{}
	var fixes []Fix
	for i, f := range entries {
		if f.ID == "" || f.Reason == "" {
			return nil, fmt.Errorf("gen: %s: entry %d needs an id and a reason", path, i+1)
		}
		if seen[f.ID] {
			return nil, fmt.Errorf("gen: %s: id %q used twice", path, f.ID)
		}
		seen[f.ID] = true
		if err := f.check(); err != nil {
			return nil, fmt.Errorf("gen: %s: fix %q: %w", path, f.ID, err)
		}
		f.Set, _ = normalizeYAML(f.Set).(map[string]any)
		f.Add, _ = normalizeYAML(f.Add).(map[string]any)
		f.Replace, _ = normalizeYAML(f.Replace).(map[string]any)
		if f.Ops == nil {
			fixes = append(fixes, f)
			continue
		}
		for _, op := range f.Ops {
			one := f
			one.Op, one.Ops, one.listed = op, nil, true
			fixes = append(fixes, one)
		}
	}
	return fixes, nil
}

// check refuses a fix whose parts ApplyFixes cannot honour together,
// rather than apply part of it.
func (f Fix) check() error {
	targets := 0
	for _, set := range []bool{f.Op != "", f.Ops != nil, f.Def != ""} {
		if set {
			targets++
		}
	}
	if targets != 1 {
		return fmt.Errorf("needs exactly one of operation, operations or definition")
	}
	if _, err := f.appliesTo(SpecVersion{}); err != nil {
		return err
	}
	if f.Ops != nil {
		if len(f.Ops) < 2 {
			return fmt.Errorf("operations lists one operation: write operation")
		}
		listed := map[string]bool{}
		for _, op := range f.Ops {
			switch {
			case op == "" || op == "*":
				return fmt.Errorf("operations: %q is not an operationId", op)
			case listed[op]:
				return fmt.Errorf("operations lists %s twice", op)
			}
			listed[op] = true
		}
	}
	actions := 0
	for _, set := range []bool{f.Set != nil, f.Delete != nil, f.Add != nil, f.Rename != "", f.Hoist != "",
		f.Replace != nil, f.Extract != "", f.CopyFrom != ""} {
		if set {
			actions++
		}
	}
	narrowed := f.Param != "" || f.Response != "" || f.Schema || f.Property != ""
	switch {
	case actions == 0:
		return fmt.Errorf("does nothing: it needs set, delete, add, rename, hoist, replace, extract or copyFrom")
	case (f.Rename != "" || f.CopyFrom != "") && (f.Def == "" || actions > 1 || narrowed):
		return fmt.Errorf("rename and copyFrom move or copy a whole definition: they take a definition and nothing else")
	case f.Def != "" && (f.Param != "" || f.Response != "" || f.Schema):
		return fmt.Errorf("parameter, response and schema narrow an operation, not a definition")
	case f.Param != "" && f.Response != "":
		return fmt.Errorf("targets both a parameter and a response")
	case f.Schema && f.Param == "" && f.Response == "":
		return fmt.Errorf("schema needs the parameter or response whose schema it is")
	case f.Def == "" && f.Property != "" && !f.Schema:
		return fmt.Errorf("property on an operation walks a parameter's or response's schema: it needs schema: true")
	case f.Op == "*" && f.Param == "":
		return fmt.Errorf(`operation "*" means every operation with a parameter: it needs parameter`)
	case f.Add != nil && f.Param == "" && f.Response == "":
		return fmt.Errorf("add creates a missing parameter or response: it needs parameter or response")
	case f.Add != nil && (f.Op == "*" || f.Schema || f.Property != ""):
		return fmt.Errorf(`add creates a whole parameter or response of one operation: it cannot take operation "*", schema or property`)
	case f.Extract != "" && (f.Op == "*" || f.Ops != nil):
		return fmt.Errorf("extract makes one definition of one schema: it cannot apply to several operations")
	case f.Replace != nil && f.Hoist != "":
		return fmt.Errorf("replace would discard what hoist lifts")
	}
	return nil
}

// appliesTo reports whether the fix's version range covers v.
func (f Fix) appliesTo(v SpecVersion) (bool, error) {
	if f.Versions == "" {
		return true, nil
	}
	lo, hi, isRange := strings.Cut(f.Versions, "-")
	parse := func(s string, def int) (int, error) {
		if s == "" {
			return def, nil
		}
		_, minor, ok := strings.Cut(s, ".")
		n, err := strconv.Atoi(minor)
		if !ok || err != nil {
			return 0, fmt.Errorf("bad version %q in versions %q", s, f.Versions)
		}
		return n, nil
	}
	a, err := parse(lo, 0)
	if err != nil {
		return false, err
	}
	b := a
	if isRange {
		if b, err = parse(hi, 1<<30); err != nil {
			return false, err
		}
	}
	return v.Minor >= a && v.Minor <= b, nil
}

// ApplyFixes patches one raw spec document in place. A fix with an explicit
// version range must find its target in every version of the range, so a
// fix that stops matching (a typo, an upstream change) fails loudly.
func ApplyFixes(doc map[string]any, v SpecVersion, fixes []Fix, used map[string]bool, raw RawSpec) error {
	for _, f := range fixes {
		ok, err := f.appliesTo(v)
		if err != nil {
			return fmt.Errorf("gen: fix %s: %w", f.name(), err)
		}
		if !ok {
			continue
		}
		if f.CopyFrom != "" {
			if err := copyDefinition(doc, f.Def, f.CopyFrom, raw); err != nil {
				return fmt.Errorf("gen: v%s: fix %s: %w", v.Name, f.name(), err)
			}
			used[f.name()] = true
			continue
		}
		if f.Rename != "" {
			if err := renameDefinition(doc, f.Def, f.Rename); err != nil {
				return fmt.Errorf("gen: v%s: fix %s: %w", v.Name, f.name(), err)
			}
			used[f.name()] = true
			continue
		}
		targets, err := findTargets(doc, f)
		if err != nil {
			if f.Versions == "" {
				continue // the target does not exist in this version
			}
			return fmt.Errorf("gen: v%s: fix %s: %w", v.Name, f.name(), err)
		}
		used[f.name()] = true
		for _, target := range targets {
			if f.Hoist != "" {
				inner, ok := target[f.Hoist].(map[string]any)
				if !ok {
					return fmt.Errorf("gen: v%s: fix %s: target has no %s", v.Name, f.name(), f.Hoist)
				}
				clear(target)
				for k, val := range inner {
					target[k] = val
				}
			}
			if f.Replace != nil {
				clear(target)
			}
			for k, val := range f.Replace {
				target[k] = deepCopy(val)
			}
			if f.Extract != "" {
				defs, _ := doc["definitions"].(map[string]any)
				if _, taken := defs[f.Extract]; taken {
					return fmt.Errorf("gen: v%s: fix %s: definition %s already exists", v.Name, f.name(), f.Extract)
				}
				defs[f.Extract] = deepCopy(target)
				clear(target)
				target["$ref"] = "#/definitions/" + f.Extract
			}
			for _, k := range f.Delete {
				delete(target, k)
			}
			for k, val := range f.Set {
				target[k] = deepCopy(val)
			}
		}
	}
	return nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// findTargets resolves a fix to the objects it patches. Operation "*"
// means every operation that has the named parameter.
func findTargets(doc map[string]any, f Fix) ([]map[string]any, error) {
	if f.Op != "*" {
		t, err := findTarget(doc, f, findOperation(doc, f.Op))
		if err != nil {
			return nil, err
		}
		return []map[string]any{t}, nil
	}
	var out []map[string]any
	for _, op := range allOperations(doc) {
		if t, err := findTarget(doc, f, op); err == nil {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no operation has parameter %s", f.Param)
	}
	return out, nil
}

func allOperations(doc map[string]any) []map[string]any {
	var out []map[string]any
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		pm, _ := paths[p].(map[string]any)
		for _, m := range sortedKeys(pm) {
			if om, ok := pm[m].(map[string]any); ok && om["operationId"] != nil {
				out = append(out, om)
			}
		}
	}
	return out
}

func findTarget(doc map[string]any, f Fix, op map[string]any) (map[string]any, error) {
	if f.Def != "" {
		defs, _ := doc["definitions"].(map[string]any)
		d, ok := defs[f.Def].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no definition %s", f.Def)
		}
		return walkProperty(d, f.Property)
	}
	if op == nil {
		return nil, fmt.Errorf("no operation %s", f.Op)
	}
	switch {
	case f.Param != "":
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			pm, _ := p.(map[string]any)
			if pm["name"] == f.Param {
				if f.Schema {
					s, ok := pm["schema"].(map[string]any)
					if !ok {
						return nil, fmt.Errorf("parameter %s has no schema", f.Param)
					}
					return walkProperty(s, f.Property)
				}
				return pm, nil
			}
		}
		if f.Add != nil {
			p := deepCopy(f.Add).(map[string]any)
			op["parameters"] = append(params, p)
			return p, nil
		}
		return nil, fmt.Errorf("operation %s has no parameter %s", f.Op, f.Param)
	case f.Response != "":
		resps, _ := op["responses"].(map[string]any)
		r, ok := resps[f.Response].(map[string]any)
		if !ok {
			if f.Add == nil {
				return nil, fmt.Errorf("operation %s has no response %s", f.Op, f.Response)
			}
			r = deepCopy(f.Add).(map[string]any)
			resps[f.Response] = r
		}
		if f.Schema {
			s, ok := r["schema"].(map[string]any)
			if !ok {
				s = map[string]any{}
				r["schema"] = s
			}
			return walkProperty(s, f.Property)
		}
		return r, nil
	}
	return op, nil
}

func findOperation(doc map[string]any, id string) map[string]any {
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range paths {
		pm, _ := p.(map[string]any)
		for _, o := range pm {
			om, ok := o.(map[string]any)
			if ok && om["operationId"] == id {
				return om
			}
		}
	}
	return nil
}

// walkProperty follows a/b/c through properties ("[]" steps into items,
// "*" into additionalProperties).
func walkProperty(s map[string]any, path string) (map[string]any, error) {
	if path == "" {
		return s, nil
	}
	for _, step := range strings.Split(path, "/") {
		var next map[string]any
		switch step {
		case "[]":
			next, _ = s["items"].(map[string]any)
		case "*":
			next, _ = s["additionalProperties"].(map[string]any)
		default:
			next = findProperty(s, step)
		}
		if next == nil {
			return nil, fmt.Errorf("no property %q on the path %q", step, path)
		}
		s = next
	}
	return s, nil
}

// renameDefinition moves a definition to a new name and points every $ref
// at it.
func renameDefinition(doc map[string]any, from, to string) error {
	defs, _ := doc["definitions"].(map[string]any)
	d, ok := defs[from]
	if !ok {
		return fmt.Errorf("no definition %s", from)
	}
	if _, taken := defs[to]; taken {
		return fmt.Errorf("definition %s already exists", to)
	}
	delete(defs, from)
	defs[to] = d
	old, repl := "#/definitions/"+from, "#/definitions/"+to
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["$ref"] == old {
				x["$ref"] = repl
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	return nil
}

// copyDefinition copies definition name, and every definition it refers to
// that doc lacks, from another version's spec.
func copyDefinition(doc map[string]any, name, from string, raw RawSpec) error {
	if raw == nil {
		return fmt.Errorf("copyFrom needs the other specs")
	}
	src, err := raw(from)
	if err != nil {
		return err
	}
	srcDefs, _ := src["definitions"].(map[string]any)
	defs, _ := doc["definitions"].(map[string]any)
	if _, exists := defs[name]; exists {
		return fmt.Errorf("definition %s already exists; nothing to copy", name)
	}
	var copyDef func(n string) error
	copyDef = func(n string) error {
		if _, ok := defs[n]; ok {
			return nil
		}
		d, ok := srcDefs[n]
		if !ok {
			return fmt.Errorf("v%s has no definition %s", from, n)
		}
		defs[n] = deepCopy(d)
		for _, ref := range refsIn(d) {
			if err := copyDef(ref); err != nil {
				return err
			}
		}
		return nil
	}
	return copyDef(name)
}

func refsIn(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["$ref"].(string); ok {
			out = append(out, strings.TrimPrefix(r, "#/definitions/"))
		}
		for _, k := range sortedKeys(x) {
			out = append(out, refsIn(x[k])...)
		}
	case []any:
		for _, e := range x {
			out = append(out, refsIn(e)...)
		}
	}
	return out
}

// findProperty finds a property by name, also inside allOf parts (HostConfig is
// allOf [Resources, {...}]).
func findProperty(s map[string]any, name string) map[string]any {
	props, _ := s["properties"].(map[string]any)
	if p, ok := props[name].(map[string]any); ok {
		return p
	}
	parts, _ := s["allOf"].([]any)
	for _, part := range parts {
		if pm, ok := part.(map[string]any); ok {
			if p := findProperty(pm, name); p != nil {
				return p
			}
		}
	}
	return nil
}
