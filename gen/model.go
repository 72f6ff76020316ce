package gen

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/dockerclient/docker/internal/apispec"
	"github.com/go-openapi/spec"
)

// Package is the model of one API version: what becomes package v1NN.
type Package struct {
	Version SpecVersion
	Ops     []*Operation     // sorted by ID
	Types   map[string]*Type // by Go name
	// Runtime lists the spec's definitions left to package docker (see
	// runtimeTypes), sorted.
	Runtime []string

	table *apispec.Spec // what dockertest's fake daemon needs of the spec
}

// Operation is one endpoint, named by its operationId.
type Operation struct {
	ID          string
	Method      string // GET, POST, ...
	Path        string // /containers/{id}/json
	Summary     string
	Description string
	Tag         string // file it goes in: container, image, ...
	Deprecated  bool
	PathParams  []*Param // positional arguments, in path order
	Params      []*Param // fields of the options struct: query, header, body
	Consumes    string   // content type of a raw body
	Stream      StreamKind
	StreamItem  GoType // a json stream's values
	Result      Result
	AddedIn     int // minor version it first appears in
}

// HasOptions says whether the method takes an options struct. It is
// decided across versions (see Model.finish) so that a method keeps its
// signature from one version package to the next.
func (o *Operation) OptionsName() string { return o.ID + "Options" }

// AllParams lists the path arguments, then the options' fields.
func (o *Operation) AllParams() []*Param {
	return append(append([]*Param{}, o.PathParams...), o.Params...)
}

// Param is a path argument or a field of an options struct.
type Param struct {
	Name     string // as in the spec
	GoName   string
	In       string // path, query, header, body
	GoType   GoType // type of the field or argument
	Setter   Setter // its shape: how the request is built, and more (shapes.go)
	Sep      string // SetQueryJoined: the separator
	Required bool
	Doc      string
	AddedIn  int
	Enum     []string
}

// Result is what a method returns besides error.
type Result struct {
	Kind    ResultKind
	GoType  GoType // zero for none
	Headers []*HeaderField
}

// HeaderField is a response header exposed in a <Op>Result struct.
type HeaderField struct {
	Name   string // HTTP header name
	GoName string
	GoType GoType // string, bool, *docker.PathStat
	Doc    string
}

// Type is a named Go type: a struct, an enum, or another named type.
type Type struct {
	Name       string
	Doc        string
	Kind       TypeKind
	Fields     []*Field
	Underlying GoType   // enum base or named type's definition
	Enum       []string // enum values
	EnumNames  []string // Go names of the enum values' constants, less the type's name (x-sdk-enum-names); nil: from the values
	Tag        string   // file it goes in
	AddedIn    int
	Origin     string // definition name, or where an inline schema sits
}

// Field is a struct field.
type Field struct {
	GoName   string
	JSONName string
	GoType   GoType
	Doc      string
	AddedIn  int
	OmitZero bool // struct-valued: omitted when zero (omitzero)
	Required bool
}

// builder converts one spec into a Package.
type builder struct {
	pkg      *Package
	sw       *spec.Swagger
	defNames map[string]string // definition -> Go name
	building map[string]bool   // definitions being converted (cycles)
}

// runtimeTypes are spec definitions that package docker already declares:
// the registry credential and the progress messages of pull, push, build
// and load, which the runtime decodes itself. A version package refers to
// the runtime's type instead of declaring a second one, so that a user
// meets one AuthConfig. ErrorResponse, the body of every error answer, is
// what *docker.Error carries; no method returns it.
var runtimeTypes = map[string]GoType{
	"AuthConfig":      dockerType("AuthConfig"),
	"ProgressDetail":  dockerType("ProgressDetail"),
	"ErrorDetail":     dockerType("ErrorDetail"),
	"BuildInfo":       dockerType("JSONMessage"),
	"CreateImageInfo": dockerType("JSONMessage"),
	"PushImageInfo":   dockerType("JSONMessage"),
	"ErrorResponse":   dockerType("Error"),
}

// isStructType says whether t names a struct: one of the package's or one
// of the runtime's.
func (b *builder) isStructType(t GoType) bool {
	if t.IsLocal() {
		typ, ok := b.pkg.Types[t.Name]
		return ok && typ.Kind == KindStruct
	}
	for _, rt := range runtimeTypes {
		if rt.Equal(t) {
			return true
		}
	}
	return false
}

// reserved names are declared by every generated package by hand of the
// generator; a definition with such a name is renamed.
var reserved = map[string]bool{"Client": true, "New": true, "NewFromEnv": true, "APIVersion": true}

// BuildPackage converts one fixed spec into the model of its package.
func BuildPackage(v SpecVersion, sw *spec.Swagger) (*Package, error) {
	b := &builder{
		pkg:      &Package{Version: v, Types: map[string]*Type{}},
		sw:       sw,
		defNames: map[string]string{},
		building: map[string]bool{},
	}
	for _, name := range sortedKeys(sw.Definitions) {
		gn := typeName(name)
		if reserved[gn] {
			gn += "Info"
		}
		if rt, ok := runtimeTypes[name]; ok {
			gn = rt.String()
		}
		b.defNames[name] = gn
	}
	for _, name := range sortedKeys(sw.Definitions) {
		if _, ok := runtimeTypes[name]; ok {
			b.pkg.Runtime = append(b.pkg.Runtime, name)
			continue
		}
		if err := b.definition(name); err != nil {
			return nil, fmt.Errorf("v%s: definition %s: %w", v.Name, name, err)
		}
	}
	for _, path := range sortedKeys(sw.Paths.Paths) {
		item := sw.Paths.Paths[path]
		for _, m := range pathOps(item) {
			op, err := b.operation(path, m.method, m.op, item.Parameters)
			if err != nil {
				return nil, fmt.Errorf("v%s: %s %s: %w", v.Name, m.method, path, err)
			}
			b.pkg.Ops = append(b.pkg.Ops, op)
		}
	}
	sort.Slice(b.pkg.Ops, func(i, j int) bool { return b.pkg.Ops[i].ID < b.pkg.Ops[j].ID })
	for i := 1; i < len(b.pkg.Ops); i++ {
		if b.pkg.Ops[i].ID == b.pkg.Ops[i-1].ID {
			return nil, fmt.Errorf("v%s: operationId %s is used twice", v.Name, b.pkg.Ops[i].ID)
		}
	}
	return b.pkg, nil
}

// pathOp is one operation of a path, with its method.
type pathOp struct {
	method string
	op     *spec.Operation
}

// pathOps lists a path's operations by method name.
func pathOps(item spec.PathItem) []pathOp {
	var out []pathOp
	for _, m := range []pathOp{
		{http.MethodDelete, item.Delete}, {http.MethodGet, item.Get}, {http.MethodHead, item.Head},
		{http.MethodOptions, item.Options}, {http.MethodPatch, item.Patch}, {http.MethodPost, item.Post},
		{http.MethodPut, item.Put},
	} {
		if m.op != nil {
			out = append(out, m)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (b *builder) definition(name string) error {
	gn := b.defNames[name]
	if _, done := b.pkg.Types[gn]; done {
		return nil
	}
	s := b.sw.Definitions[name]
	t, err := b.namedType(gn, &s, "definition "+name)
	if err != nil {
		return err
	}
	if t == nil {
		// Not a struct or enum: a named type over its Go form. Its items
		// (GenericResources is a list) are named <Name>Item.
		expr, err := b.goType(&s, gn, false)
		if err != nil {
			return err
		}
		b.pkg.Types[gn] = &Type{Name: gn, Doc: docOf(&s, name), Kind: KindNamed, Underlying: expr, Origin: "definition " + name}
	}
	return nil
}

// namedType registers a struct or enum type for schema s under name, or
// returns nil when s is neither.
func (b *builder) namedType(name string, s *spec.Schema, origin string) (*Type, error) {
	if t, ok := b.pkg.Types[name]; ok {
		return t, nil
	}
	if isEnum(s) {
		base := typeString
		if s.Type.Contains("integer") {
			base = builtinType(intType(s.Format))
		}
		t := &Type{Name: name, Doc: docOf(s, ""), Kind: KindEnum, Underlying: base, Origin: origin}
		for _, e := range s.Enum {
			t.Enum = append(t.Enum, fmt.Sprint(e))
		}
		names, err := enumNames(s.Extensions, len(t.Enum))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.EnumNames = names
		b.pkg.Types[name] = t
		return t, nil
	}
	if !isStruct(s) {
		return nil, nil
	}
	t := &Type{Name: name, Doc: docOf(s, ""), Kind: KindStruct, Origin: origin}
	b.pkg.Types[name] = t // registered first: schemas may refer to themselves
	props, required, err := b.collectProperties(s, name, map[string]bool{})
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, p := range props {
		fname := exportedName(p.name)
		for used[fname] {
			fname += "_"
		}
		used[fname] = true
		nullable := isNullable(p.schema)
		expr, err := b.goType(p.schema, p.owner+exportedName(p.name), nullable)
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", p.name, err)
		}
		isStructType := b.isStructType(expr)
		t.Fields = append(t.Fields, &Field{
			GoName:   fname,
			JSONName: p.name,
			GoType:   expr,
			Doc:      docOf(p.schema, ""),
			OmitZero: isStructType,
			Required: required[p.name],
		})
	}
	return t, nil
}

type property struct {
	name   string
	schema *spec.Schema
	owner  string // the type that declares it: inline types inside it are named after that type
}

// collectProperties flattens allOf and $ref into one ordered property list.
// The spec lists properties in a map; they are sorted by name so that the
// output is deterministic.
func (b *builder) collectProperties(s *spec.Schema, owner string, seen map[string]bool) ([]property, map[string]bool, error) {
	required := map[string]bool{}
	var out []property
	index := map[string]int{}
	add := func(ps []property, req map[string]bool) {
		for _, p := range ps {
			if i, ok := index[p.name]; ok {
				out[i] = p
				continue
			}
			index[p.name] = len(out)
			out = append(out, p)
		}
		for k := range req {
			required[k] = true
		}
	}
	if ref := refName(s); ref != "" {
		if seen[ref] {
			return nil, nil, nil
		}
		seen[ref] = true
		d, ok := b.sw.Definitions[ref]
		if !ok {
			return nil, nil, fmt.Errorf("$ref to missing definition %s", ref)
		}
		return b.collectProperties(&d, b.defNames[ref], seen)
	}
	for i := range s.AllOf {
		ps, req, err := b.collectProperties(&s.AllOf[i], owner, seen)
		if err != nil {
			return nil, nil, err
		}
		add(ps, req)
	}
	var own []property
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		own = append(own, property{name, &p, owner})
	}
	req := map[string]bool{}
	for _, r := range s.Required {
		req[r] = true
	}
	add(own, req)
	return out, required, nil
}

func refName(s *spec.Schema) string {
	r := s.Ref.String()
	if r == "" {
		return ""
	}
	return strings.TrimPrefix(r, "#/definitions/")
}

// enumNames reads x-sdk-enum-names, the Go names (less the type's name) of
// an enum's values where the values say nothing (ChangeType's 0, 1, 2).
func enumNames(ext spec.Extensions, n int) ([]string, error) {
	raw, ok := ext["x-sdk-enum-names"]
	if !ok {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) != n {
		return nil, fmt.Errorf("x-sdk-enum-names must list one name for each of the %d values", n)
	}
	out := make([]string, n)
	for i, e := range list {
		out[i], _ = e.(string)
		if out[i] == "" || exportedName(out[i]) != out[i] {
			return nil, fmt.Errorf("x-sdk-enum-names: %q is not a Go name", e)
		}
	}
	return out, nil
}

func isEnum(s *spec.Schema) bool {
	return len(s.Enum) > 0 && (s.Type.Contains("string") || s.Type.Contains("integer")) && len(s.Type) == 1
}

func isStruct(s *spec.Schema) bool {
	if refName(s) != "" {
		return false
	}
	if len(s.AllOf) > 0 {
		return true
	}
	return len(s.Properties) > 0 && (len(s.Type) == 0 || s.Type.Contains("object"))
}

func isNullable(s *spec.Schema) bool {
	v, ok := s.Extensions.GetBool("x-nullable")
	return ok && v
}

// goType returns the Go type expression for schema s. Inline structs and
// enums become named types called hint, which is derived from where they
// sit (parent type + field), so the name is the same in every version.
func (b *builder) goType(s *spec.Schema, hint string, nullable bool) (GoType, error) {
	if ref := refName(s); ref != "" {
		gn, ok := b.defNames[ref]
		if !ok {
			return GoType{}, fmt.Errorf("$ref to missing definition %s", ref)
		}
		if rt, runtime := runtimeTypes[ref]; runtime {
			return b.maybePtr(rt, nullable), nil
		}
		if err := b.definition(ref); err != nil {
			return GoType{}, err
		}
		return b.maybePtr(localType(gn), nullable), nil
	}
	if len(s.AllOf) == 1 && len(s.Properties) == 0 && refName(&s.AllOf[0]) != "" {
		return b.goType(&s.AllOf[0], hint, nullable)
	}
	if isEnum(s) || isStruct(s) {
		// An inline schema is named after where it sits; a name that a
		// definition (or another inline schema) took gets a suffix.
		origin := "inline " + hint
		name := hint
		for i := 2; b.pkg.Types[name] != nil; i++ {
			if b.pkg.Types[name].Origin == origin {
				// The same schema reached again, through a definition
				// that another one flattens (allOf).
				return b.maybePtr(localType(name), nullable), nil
			}
			name = fmt.Sprintf("%s%d", hint, i)
		}
		t, err := b.namedType(name, s, origin)
		if err != nil {
			return GoType{}, err
		}
		return b.maybePtr(localType(t.Name), nullable), nil
	}
	switch {
	case len(s.Type) > 1:
		return GoType{}, fmt.Errorf("type is a list %v: add a fix to specs/fixes.yaml", s.Type)
	case s.Type.Contains("array"):
		if s.Items == nil || s.Items.Schema == nil {
			return sliceOf(typeAny), nil
		}
		elem, err := b.goType(s.Items.Schema, hint+"Item", false)
		if err != nil {
			return GoType{}, err
		}
		return sliceOf(elem), nil
	case s.Type.Contains("object") || (len(s.Type) == 0 && s.AdditionalProperties != nil):
		ap := s.AdditionalProperties
		if ap == nil || ap.Schema == nil {
			if ap != nil && !ap.Allows {
				return builtinType("struct{}"), nil
			}
			return mapOf(typeAny), nil
		}
		as := ap.Schema
		if refName(as) == "" && len(as.Properties) == 0 && len(as.AllOf) == 0 && as.AdditionalProperties == nil &&
			(as.Type.Contains("object") || len(as.Type) == 0) && as.Items == nil {
			return mapOf(builtinType("struct{}")), nil // a set: Docker sends {} for each key
		}
		elem, err := b.goType(as, hint+"Value", false)
		if err != nil {
			return GoType{}, err
		}
		return mapOf(elem), nil
	case s.Type.Contains("string"):
		if s.Format == "binary" {
			return sliceOf(builtinType("byte")), nil
		}
		return b.maybePtr(typeString, nullable), nil
	case s.Type.Contains("integer"):
		return b.maybePtr(builtinType(intType(s.Format)), nullable), nil
	case s.Type.Contains("number"):
		if s.Format == "float" {
			return b.maybePtr(builtinType("float32"), nullable), nil
		}
		return b.maybePtr(builtinType("float64"), nullable), nil
	case s.Type.Contains("boolean"):
		return b.maybePtr(typeBool, nullable), nil
	case len(s.Type) == 0:
		if len(s.Enum) > 0 {
			return GoType{}, fmt.Errorf("%s: an enum without a type: add a fix to specs/fixes.yaml", hint)
		}
		if _, ok := s.Extensions["x-go-type"]; ok {
			return GoType{}, fmt.Errorf("%s: only an x-go-type, no type or $ref: add a fix to specs/fixes.yaml", hint)
		}
		return typeAny, nil
	}
	return GoType{}, fmt.Errorf("unsupported schema type %v", s.Type)
}

func (b *builder) maybePtr(t GoType, nullable bool) GoType {
	if nullable {
		return pointerTo(t)
	}
	return t
}

// intType maps Swagger integer formats to Go exactly.
func intType(format string) string {
	switch format {
	case "int64", "uint64", "uint32", "uint16", "uint8", "int32", "int16", "int8":
		return format
	}
	return "int"
}

// docOf is a schema's description (else its title) as Go doc text.
func docOf(s *spec.Schema, fallback string) string {
	d := strings.TrimSpace(s.Description)
	if d == "" {
		d = strings.TrimSpace(s.Title)
	}
	if d == "" {
		return fallback
	}
	return goDoc(d)
}

// operation converts one spec operation.
func (b *builder) operation(path, method string, so *spec.Operation, shared []spec.Parameter) (*Operation, error) {
	if so.ID == "" {
		return nil, fmt.Errorf("no operationId")
	}
	op := &Operation{
		ID:          so.ID,
		Method:      method,
		Path:        path,
		Summary:     strings.TrimSpace(so.Summary),
		Description: goDoc(so.Description),
		Deprecated:  so.Deprecated,
		Tag:         "misc",
	}
	if len(so.Tags) > 0 {
		op.Tag = strings.ToLower(strings.Fields(so.Tags[0])[0])
	}
	for _, ct := range so.Consumes {
		if ct != "application/json" && ct != "text/plain" {
			op.Consumes = ct
			break
		}
	}
	stream, _ := so.Extensions.GetString("x-sdk-stream")
	op.Stream = StreamKind(stream)
	if item, _ := so.Extensions.GetString("x-sdk-item"); item != "" {
		t, err := ParseGoType(item)
		if err != nil {
			return nil, fmt.Errorf("x-sdk-item: %w", err)
		}
		op.StreamItem = t
	}

	params := append(append([]spec.Parameter{}, shared...), so.Parameters...)
	for i := range params {
		p, err := b.param(op, &params[i])
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", params[i].Name, err)
		}
		if p == nil {
			continue
		}
		if p.In == "path" {
			op.PathParams = append(op.PathParams, p)
		} else {
			op.Params = append(op.Params, p)
		}
	}
	// Path arguments follow the order they appear in the path.
	sort.SliceStable(op.PathParams, func(i, j int) bool {
		return strings.Index(path, "{"+op.PathParams[i].Name+"}") < strings.Index(path, "{"+op.PathParams[j].Name+"}")
	})
	used := map[string]bool{}
	for _, p := range op.Params {
		for used[p.GoName] {
			p.GoName += "_"
		}
		used[p.GoName] = true
	}
	if err := b.result(op, so); err != nil {
		return nil, err
	}
	return op, nil
}

func (b *builder) param(op *Operation, sp *spec.Parameter) (*Param, error) {
	p := &Param{
		Name:     sp.Name,
		In:       sp.In,
		Required: sp.Required || sp.In == "path",
		Doc:      goDoc(sp.Description),
	}
	if n, ok := sp.Extensions.GetString("x-go-name"); ok && n != "" {
		p.GoName = n
	} else {
		p.GoName = exportedName(sp.Name)
	}
	isJSON, _ := sp.Extensions.GetBool("x-sdk-json")
	jsonEach := false
	if v, _ := sp.Extensions.GetString("x-sdk-json"); v == "each" {
		isJSON, jsonEach = true, true
	}
	switch sp.In {
	case "path":
		p.GoName = unexportedName(sp.Name)
		p.GoType, p.Setter = typeString, SetPath
	case "query":
		switch {
		case isJSON:
			p.GoType = mapOf(typeString)
			if t, _ := sp.Extensions.GetString("x-sdk-type"); t != "" {
				var err error
				if p.GoType, err = ParseGoType(t); err != nil {
					return nil, fmt.Errorf("x-sdk-type: %w", err)
				}
			}
			p.Setter = SetQueryJSON
			if jsonEach {
				p.Setter = SetQueryJSONEach
			} else if p.Required {
				p.Setter = SetQueryJSONRequired
			}
		case sp.Type == "boolean":
			if def, ok := sp.Default.(bool); (ok && def) || p.Required {
				p.GoType, p.Setter = pointerTo(typeBool), SetQueryBoolPtr
			} else {
				p.GoType, p.Setter = typeBool, SetQueryBool
			}
		case sp.Type == "integer" || sp.Type == "number":
			base := builtinType(intType(sp.Format))
			if sp.Type == "number" {
				base = builtinType("float64")
			}
			if p.Required {
				p.GoType, p.Setter = base, SetQueryNumberRequired
			} else {
				p.GoType, p.Setter = pointerTo(base), SetQueryNumber
			}
		case sp.Type == "string":
			p.GoType, p.Setter = typeString, SetQuery
			if len(sp.Enum) > 0 {
				name := op.ID + p.GoName
				t := &Type{Name: name, Kind: KindEnum, Underlying: typeString, Doc: fmt.Sprintf("%s is a value of %s's %s parameter.", name, op.ID, sp.Name), Origin: "parameter"}
				for _, e := range sp.Enum {
					t.Enum = append(t.Enum, fmt.Sprint(e))
					p.Enum = append(p.Enum, fmt.Sprint(e))
				}
				names, err := enumNames(sp.Extensions, len(t.Enum))
				if err != nil {
					return nil, err
				}
				t.EnumNames = names
				if _, exists := b.pkg.Types[name]; !exists {
					b.pkg.Types[name] = t
				}
				p.GoType = localType(name)
			}
			if p.Required {
				p.Setter = SetQueryRequired
			}
		case sp.Type == "array":
			p.GoType, p.Setter = sliceOf(typeString), SetQueryStrings
			if sp.Items != nil {
				for _, e := range sp.Items.Enum {
					p.Enum = append(p.Enum, fmt.Sprint(e))
				}
			}
			if sp.CollectionFormat != "" && sp.CollectionFormat != "multi" {
				p.Setter, p.Sep = SetQueryJoined, collectionSep(sp.CollectionFormat)
			}
		default:
			return nil, fmt.Errorf("query parameter of type %q", sp.Type)
		}
	case "header":
		switch strings.ToLower(sp.Name) {
		case "x-registry-auth":
			p.GoName, p.GoType, p.Setter = "RegistryAuth", pointerTo(dockerType("AuthConfig")), SetAuth
			if p.Required {
				p.Setter = SetAuthRequired
			}
		case "x-registry-config":
			p.GoName, p.GoType, p.Setter = "RegistryConfig", mapOf(dockerType("AuthConfig")), SetAuthConfigs
		case "content-type":
			return nil, nil // set from the body the caller gives
		default:
			p.GoType, p.Setter = typeString, SetHeader
		}
	case "body":
		p.GoName = "Body"
		if sp.Schema == nil {
			return nil, fmt.Errorf("body without schema")
		}
		s := sp.Schema
		if s.Type.Contains("string") && (s.Format == "binary" || s.Format == "") && refName(s) == "" {
			p.GoType, p.Setter = pkgType("io", "Reader"), SetReader
			if p.Required {
				p.Setter = SetReaderRequired
			}
			return p, nil
		}
		expr, err := b.goType(s, op.ID+"Request", false)
		if err != nil {
			return nil, err
		}
		if b.isStructType(expr.Deref()) && !p.Required {
			p.GoType, p.Setter = pointerTo(expr.Deref()), SetBodyOptional
		} else {
			p.GoType, p.Setter = expr, SetBody
			if expr.Kind == GoSlice || expr.Kind == GoMap {
				p.Setter = SetBodyOptional
				if p.Required {
					p.Setter = SetBodyRequired
				}
			}
		}
	case "formData":
		return nil, fmt.Errorf("formData parameters are not supported")
	}
	return p, nil
}

func collectionSep(f string) string {
	switch f {
	case "ssv":
		return " "
	case "tsv":
		return "\t"
	case "pipes":
		return "|"
	}
	return ","
}

// result decides what the method returns from the lowest 2xx (or 101)
// response.
func (b *builder) result(op *Operation, so *spec.Operation) error {
	var codes []int
	if so.Responses != nil {
		for code := range so.Responses.StatusCodeResponses {
			if code/100 == 2 || code == 101 {
				codes = append(codes, code)
			}
		}
	}
	sort.Ints(codes)
	switch op.Stream {
	case StreamHijack:
		op.Result = Result{Kind: ResultStream, GoType: pointerTo(dockerType("HijackedConn"))}
		return nil
	case StreamOutput:
		op.Result = Result{Kind: ResultStream, GoType: pointerTo(dockerType("Output"))}
		return nil
	case StreamBinary:
		op.Result = Result{Kind: ResultStream, GoType: pointerTo(dockerType("Stream"))}
		return nil
	case StreamWebSocket:
		op.Result = Result{Kind: ResultStream, GoType: pointerTo(dockerType("WebSocketConn"))}
		return nil
	}
	var resp *spec.Response
	for _, c := range codes {
		r := so.Responses.StatusCodeResponses[c]
		if resp == nil || (resp.Schema == nil && r.Schema != nil) {
			rr := r
			resp = &rr
		}
	}
	if op.Stream == StreamJSON {
		item := op.StreamItem
		if item.IsZero() {
			if resp == nil || resp.Schema == nil {
				return fmt.Errorf("json stream without item type: set x-sdk-item in specs/fixes.yaml")
			}
			t, err := b.goType(resp.Schema, op.ID+"Response", false)
			if err != nil {
				return err
			}
			item = t
		}
		op.StreamItem = item
		stream := dockerType("JSONStream")
		stream.Elem = &item
		op.Result = Result{Kind: ResultStream, GoType: pointerTo(stream)}
		return nil
	}
	if op.Stream != StreamNone {
		return fmt.Errorf("unknown x-sdk-stream %q", op.Stream)
	}
	if resp == nil {
		op.Result = Result{Kind: ResultNone}
		return nil
	}
	var headers []*HeaderField
	for _, h := range sortedKeys(resp.Headers) {
		switch strings.ToLower(h) {
		case "cache-control", "pragma", "content-type":
			continue
		}
		hf := &HeaderField{Name: h, GoName: exportedName(h), GoType: typeString, Doc: goDoc(resp.Headers[h].Description)}
		if strings.EqualFold(h, "X-Docker-Container-Path-Stat") {
			hf.GoName, hf.GoType = "PathStat", pointerTo(dockerType("PathStat"))
		} else if resp.Headers[h].Type == "boolean" {
			hf.GoType = typeBool
		}
		headers = append(headers, hf)
	}
	if len(headers) > 0 {
		op.Result = Result{Kind: ResultHeaders, GoType: pointerTo(localType(op.ID + "Result")), Headers: headers}
		return nil
	}
	if resp.Schema == nil {
		op.Result = Result{Kind: ResultNone}
		return nil
	}
	s := resp.Schema
	if s.Type.Contains("string") && refName(s) == "" && len(s.Enum) == 0 && producesText(so, b.sw) {
		op.Result = Result{Kind: ResultText, GoType: typeString}
		return nil
	}
	t, err := b.goType(s, op.ID+"Response", false)
	if err != nil {
		return err
	}
	if t.IsLocal() && b.isStructType(t) {
		t = pointerTo(t)
	}
	op.Result = Result{Kind: ResultJSON, GoType: t}
	return nil
}

// versionName turns a minor number into "1.NN".
func versionName(minor int) string { return "1." + strconv.Itoa(minor) }

// producesText says whether a string result comes as plain text (SystemPing)
// rather than as a JSON string (SwarmInit's node ID, which the daemon sends
// quoted).
func producesText(so *spec.Operation, sw *spec.Swagger) bool {
	produces := so.Produces
	if len(produces) == 0 {
		produces = sw.Produces
	}
	for _, p := range produces {
		if p == "application/json" {
			return false
		}
	}
	return true
}

// jsonShape says what JSON a value of Go type t (a body's type, say) encodes
// to, following named types: the one answer for Call's check of a body, the
// empty body sent for a nil one, and its doc.
type jsonShape uint8

const (
	shapeUnknown jsonShape = iota
	shapeObject
	shapeArray
)

func (p *Package) jsonShape(t GoType) jsonShape {
	for {
		t = t.Deref()
		switch t.Kind {
		case GoSlice:
			return shapeArray
		case GoMap:
			return shapeObject
		}
		typ, ok := p.Types[t.Name]
		switch {
		case !t.IsLocal() || !ok:
			return shapeUnknown
		case typ.Kind == KindStruct:
			return shapeObject
		case typ.Kind == KindNamed:
			t = typ.Underlying
			continue
		}
		return shapeUnknown
	}
}
