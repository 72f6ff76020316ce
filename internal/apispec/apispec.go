// Package apispec holds what the fake daemon of package dockertest needs to
// know of every Engine API version: each operation's route, parameters and
// responses, and the schemas they refer to. The generator (cmd/gen) writes
// it from specs/ with the fixes of specs/fixes.yaml applied, and without the
// prose: descriptions, titles and the like are left out.
//
// The tables are JSON in string constants, one entry per distinct schema or
// operation, shared by every version in which it is the same (most are), so
// that a test binary carries them once and links no spec parser. A version
// is decoded on first use.
package apispec

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Spec is one API version.
type Spec struct {
	Version     string             // "1.47"
	Produces    []string           // the spec's default media types
	Ops         []*Operation       // sorted by path, then method
	Definitions map[string]*Schema // by definition name
}

// Operation is one operation with its path-level parameters merged in.
type Operation struct {
	ID        string               `json:"id"`
	Method    string               `json:"method"`
	Path      string               `json:"path"`
	Stream    string               `json:"stream,omitempty"` // x-sdk-stream: json, output, hijack, websocket, binary
	Produces  []string             `json:"produces,omitempty"`
	Params    []*Parameter         `json:"params,omitempty"`
	Responses map[string]*Response `json:"responses,omitempty"` // by status code, or "default"
}

// Parameter is a path, query, header or body parameter.
type Parameter struct {
	Name             string  `json:"name"`
	In               string  `json:"in"`
	Required         bool    `json:"required,omitempty"`
	Type             string  `json:"type,omitempty"`
	Format           string  `json:"format,omitempty"`
	Enum             []any   `json:"enum,omitempty"`
	CollectionFormat string  `json:"collectionFormat,omitempty"`
	Items            *Items  `json:"items,omitempty"`
	JSON             bool    `json:"json,omitempty"` // the value is JSON (x-sdk-json or format json)
	Schema           *Schema `json:"schema,omitempty"`
}

// Items is the item type of an array query parameter.
type Items struct {
	Type   string `json:"type,omitempty"`
	Format string `json:"format,omitempty"`
	Enum   []any  `json:"enum,omitempty"`
	JSON   bool   `json:"json,omitempty"`
}

// Response is one declared response.
type Response struct {
	Schema  *Schema            `json:"schema,omitempty"`
	Headers map[string]*Header `json:"headers,omitempty"`
	Example any                `json:"example,omitempty"` // examples["application/json"]
}

// Header is a declared response header.
type Header struct {
	Type string `json:"type,omitempty"`
	Enum []any  `json:"enum,omitempty"`
}

// Schema is the part of a Swagger 2.0 schema that checking and answering
// use.
type Schema struct {
	Ref        string             `json:"$ref,omitempty"` // a definition's name
	Type       []string           `json:"type,omitempty"`
	Format     string             `json:"format,omitempty"`
	Enum       []any              `json:"enum,omitempty"`
	Properties map[string]*Schema `json:"properties,omitempty"`
	// Additional is additionalProperties given as a schema; AdditionalBool
	// is additionalProperties given as true or false.
	Additional     *Schema   `json:"additionalProperties,omitempty"`
	AdditionalBool *bool     `json:"additionalPropertiesBool,omitempty"`
	Items          *Schema   `json:"items,omitempty"`
	Required       []string  `json:"required,omitempty"`
	Example        any       `json:"example,omitempty"`
	AllOf          []*Schema `json:"allOf,omitempty"`
}

// version is one version's index into the shared pool.
type version struct {
	name     string
	produces []string
	ops      []uint16 // pool entries of its operations
	defNames string   // definition names, space-separated, in the order of defs
	defs     []uint16 // pool entries of its definitions
}

// Set by the generated files' init, so that this package compiles (and
// the generator, which uses its types, runs) before they exist.
var (
	versionTable []version
	poolChunks   [][]string
	poolChunk    int
	poolSize     int
)

var (
	poolMu    sync.Mutex
	poolCache = map[uint16]any{}
	specs     sync.Map // version name -> func() (*Spec, error)
)

// Versions lists the versions the tables hold, oldest first.
func Versions() []string {
	out := make([]string, len(versionTable))
	for i, v := range versionTable {
		out[i] = v.name
	}
	return out
}

// Load returns a version's spec, decoding it on first use. The result is
// shared and must not be changed.
func Load(name string) (*Spec, error) {
	if f, ok := specs.Load(name); ok {
		return f.(func() (*Spec, error))()
	}
	i := slices.IndexFunc(versionTable, func(v version) bool { return v.name == name })
	if i < 0 && len(versionTable) == 0 {
		return nil, fmt.Errorf("apispec: no tables (run make generate)")
	}
	if i < 0 {
		return nil, fmt.Errorf("no spec for API version %q; this SDK has %s to %s",
			name, versionTable[0].name, versionTable[len(versionTable)-1].name)
	}
	f, _ := specs.LoadOrStore(name, sync.OnceValues(func() (*Spec, error) { return decode(&versionTable[i]) }))
	return f.(func() (*Spec, error))()
}

func decode(v *version) (*Spec, error) {
	s := &Spec{Version: v.name, Produces: v.produces, Definitions: map[string]*Schema{}}
	for _, i := range v.ops {
		op, err := entry[Operation](i)
		if err != nil {
			return nil, err
		}
		s.Ops = append(s.Ops, op)
	}
	names := strings.Fields(v.defNames)
	if len(names) != len(v.defs) {
		return nil, fmt.Errorf("apispec: v%s: %d definition names for %d definitions", v.name, len(names), len(v.defs))
	}
	for k, i := range v.defs {
		d, err := entry[Schema](i)
		if err != nil {
			return nil, err
		}
		s.Definitions[names[k]] = d
	}
	return s, nil
}

// entry decodes pool entry i once; versions that share it share the value.
func entry[T any](i uint16) (*T, error) {
	poolMu.Lock()
	defer poolMu.Unlock()
	if v, ok := poolCache[i]; ok {
		return v.(*T), nil
	}
	if int(i) >= poolSize {
		return nil, fmt.Errorf("apispec: pool entry %d of %d", i, poolSize)
	}
	v := new(T)
	if err := json.Unmarshal([]byte(poolChunks[int(i)/poolChunk][int(i)%poolChunk]), v); err != nil {
		return nil, fmt.Errorf("apispec: pool entry %d: %w", i, err)
	}
	poolCache[i] = v
	return v, nil
}

// Minor returns 47 for "1.47", or -1.
func Minor(version string) int {
	rest, ok := strings.CutPrefix(version, "1.")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		return -1
	}
	return n
}
