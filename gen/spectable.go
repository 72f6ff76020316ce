package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dockerclient/docker/internal/apispec"
	"github.com/go-openapi/spec"
)

// poolChunk is how many pool entries one file of internal/apispec holds,
// so that no generated file grows past what an editor opens with ease.
const poolChunk = 400

// specTable keeps of a fixed spec what package dockertest's fake daemon
// checks requests against and answers from, in apispec's shape.
func specTable(v SpecVersion, sw *spec.Swagger) *apispec.Spec {
	s := &apispec.Spec{Version: v.Name, Produces: sw.Produces, Definitions: map[string]*apispec.Schema{}}
	for name, d := range sw.Definitions {
		s.Definitions[name] = tableSchema(&d)
	}
	if sw.Paths == nil {
		return s
	}
	for _, path := range sortedKeys(sw.Paths.Paths) {
		item := sw.Paths.Paths[path]
		for _, m := range pathOps(item) {
			s.Ops = append(s.Ops, tableOp(path, m.method, m.op, item.Parameters))
		}
	}
	return s
}

func tableOp(path, method string, so *spec.Operation, pathParams []spec.Parameter) *apispec.Operation {
	op := &apispec.Operation{ID: so.ID, Method: method, Path: path, Produces: so.Produces}
	op.Stream, _ = so.Extensions.GetString("x-sdk-stream")
	// Operation parameters override path-level ones of the same name.
	seen := map[string]bool{}
	for i := range so.Parameters {
		p := &so.Parameters[i]
		seen[p.In+" "+p.Name] = true
		op.Params = append(op.Params, tableParam(p))
	}
	for i := range pathParams {
		if p := &pathParams[i]; !seen[p.In+" "+p.Name] {
			op.Params = append(op.Params, tableParam(p))
		}
	}
	if so.Responses != nil {
		op.Responses = map[string]*apispec.Response{}
		add := func(code string, r *spec.Response) {
			tr := &apispec.Response{Schema: tableSchema(r.Schema)}
			if ex, ok := r.Examples["application/json"]; ok {
				tr.Example = ex
			}
			for name, h := range r.Headers {
				if tr.Headers == nil {
					tr.Headers = map[string]*apispec.Header{}
				}
				tr.Headers[name] = &apispec.Header{Type: h.Type, Enum: h.Enum}
			}
			op.Responses[code] = tr
		}
		for code, r := range so.Responses.StatusCodeResponses {
			add(strconv.Itoa(code), &r)
		}
		if so.Responses.Default != nil {
			add("default", so.Responses.Default)
		}
	}
	return op
}

func tableParam(p *spec.Parameter) *apispec.Parameter {
	isJSON, _ := p.Extensions.GetBool("x-sdk-json")
	if v, _ := p.Extensions.GetString("x-sdk-json"); v != "" {
		isJSON = true
	}
	tp := &apispec.Parameter{
		Name: p.Name, In: p.In, Required: p.Required, Type: p.Type, Format: p.Format, Enum: p.Enum,
		CollectionFormat: p.CollectionFormat, JSON: isJSON || p.Format == "json", Schema: tableSchema(p.Schema),
	}
	if p.Items != nil {
		itemJSON, _ := p.Items.Extensions.GetBool("x-sdk-json")
		tp.Items = &apispec.Items{Type: p.Items.Type, Format: p.Items.Format, Enum: p.Items.Enum,
			JSON: itemJSON || p.Items.Format == "json"}
	}
	return tp
}

func tableSchema(s *spec.Schema) *apispec.Schema {
	if s == nil {
		return nil
	}
	t := &apispec.Schema{
		Ref:  strings.TrimPrefix(s.Ref.String(), "#/definitions/"),
		Type: s.Type, Format: s.Format, Enum: s.Enum, Required: s.Required, Example: s.Example,
	}
	if b, _ := s.Extensions.GetBool("x-sdk-base64"); b {
		t.Format = "byte"
	}
	for name, p := range s.Properties {
		if t.Properties == nil {
			t.Properties = map[string]*apispec.Schema{}
		}
		t.Properties[name] = tableSchema(&p)
	}
	if a := s.AdditionalProperties; a != nil {
		if a.Schema != nil {
			t.Additional = tableSchema(a.Schema)
		} else {
			t.AdditionalBool = &a.Allows
		}
	}
	if s.Items != nil {
		if s.Items.Schema != nil {
			t.Items = tableSchema(s.Items.Schema)
		} else if len(s.Items.Schemas) > 0 {
			t.Items = tableSchema(&s.Items.Schemas[0])
		}
	}
	for i := range s.AllOf {
		t.AllOf = append(t.AllOf, tableSchema(&s.AllOf[i]))
	}
	return t
}

// RenderSpecTables renders internal/apispec: one pool of every distinct
// operation and definition (as JSON) across all versions, and for each
// version the pool entries it is made of. Most operations and definitions
// are the same from one version to the next and are stored once: 7,432
// over the 33 versions of specs/ at the time of writing, 660 distinct.
func (m *Model) RenderSpecTables() ([]File, error) {
	var pool []string
	index := map[string]int{}
	intern := func(v any) (int, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return 0, err
		}
		k := string(b)
		if i, ok := index[k]; ok {
			return i, nil
		}
		index[k] = len(pool)
		pool = append(pool, k)
		return len(pool) - 1, nil
	}
	var vt bytes.Buffer
	vt.WriteString(Header)
	vt.WriteString("package apispec\n\n")
	vt.WriteString("// versions lists every version: its operations and definitions as\n// entries of the pool.\n")
	vt.WriteString("var versions = [...]version{\n")
	for _, p := range m.Pkgs {
		t := p.table
		var ops, defs []string
		for _, op := range t.Ops {
			i, err := intern(op)
			if err != nil {
				return nil, fmt.Errorf("gen: v%s %s: %w", t.Version, op.ID, err)
			}
			ops = append(ops, strconv.Itoa(i))
		}
		names := sortedKeys(t.Definitions)
		for _, name := range names {
			i, err := intern(t.Definitions[name])
			if err != nil {
				return nil, fmt.Errorf("gen: v%s definition %s: %w", t.Version, name, err)
			}
			defs = append(defs, strconv.Itoa(i))
		}
		fmt.Fprintf(&vt, "\t{%q, %#v, []uint16{%s}, %q, []uint16{%s}},\n", t.Version, t.Produces,
			strings.Join(ops, ", "), strings.Join(names, " "), strings.Join(defs, ", "))
	}
	vt.WriteString("}\n")
	if len(pool) > 1<<16 {
		return nil, fmt.Errorf("gen: %d pool entries do not fit apispec's uint16 indexes", len(pool))
	}
	src, err := formatGo("versions_gen.go", vt.Bytes())
	if err != nil {
		return nil, err
	}
	files := []File{{Path: "internal/apispec/versions_gen.go", Content: src}}

	var chunks []string
	for c := 0; c*poolChunk < len(pool); c++ {
		var b bytes.Buffer
		b.WriteString(Header)
		b.WriteString("package apispec\n\n")
		fmt.Fprintf(&b, "var pool%d = [...]string{\n", c)
		for _, e := range pool[c*poolChunk : min(len(pool), (c+1)*poolChunk)] {
			b.WriteString("\t" + goString(e) + ",\n")
		}
		b.WriteString("}\n")
		name := fmt.Sprintf("internal/apispec/pool%d_gen.go", c)
		src, err := formatGo(name, b.Bytes())
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: name, Content: src})
		chunks = append(chunks, fmt.Sprintf("pool%d[:]", c))
	}
	var b bytes.Buffer
	b.WriteString(Header)
	b.WriteString("package apispec\n\n")
	fmt.Fprintf(&b, "// %d distinct operations and definitions, %d to a file.\n", len(pool), poolChunk)
	fmt.Fprintf(&b, "func init() {\n\tversionTable = versions[:]\n\tpoolChunks = [][]string{%s}\n\tpoolChunk = %d\n\tpoolSize = %d\n}\n",
		strings.Join(chunks, ", "), poolChunk, len(pool))
	src, err = formatGo("pool_gen.go", b.Bytes())
	if err != nil {
		return nil, err
	}
	files = append(files, File{Path: "internal/apispec/pool_gen.go", Content: src})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// goString quotes s as a raw string when it can, which keeps JSON readable.
func goString(s string) string {
	if !strings.ContainsAny(s, "`\r") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
