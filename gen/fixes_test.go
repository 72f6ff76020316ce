package gen

import (
	"fmt"
	"strings"
	"testing"
)

func TestOperationsListExpands(t *testing.T) {
	fixes, err := parseFixes("fixes.yaml", []byte(`
- id: stream-output
  reason: they stream output
  versions: 1.30-
  operations: [ContainerLogs, ServiceLogs]
  set: {x-sdk-stream: output}
- id: alone
  reason: one
  operation: SystemPing
  set: {x-a: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fixes {
		got = append(got, f.name()+" "+f.Op+" "+f.Versions+" "+fmt.Sprint(f.Set["x-sdk-stream"])+" "+strings.Join(f.Ops, ","))
	}
	want := []string{
		`"stream-output" (operation ContainerLogs) ContainerLogs 1.30- output `,
		`"stream-output" (operation ServiceLogs) ServiceLogs 1.30- output `,
	}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || fixes[2].name() != `"alone"` {
		t.Fatalf("expanded to\n%s", strings.Join(got, "\n"))
	}

	// Each operation of the list is applied, and recorded, on its own.
	doc := map[string]any{"paths": map[string]any{
		"/containers/{id}/logs": map[string]any{"get": map[string]any{"operationId": "ContainerLogs"}},
		"/services/{id}/logs":   map[string]any{"get": map[string]any{"operationId": "ServiceLogs"}},
	}}
	used := map[string]bool{}
	if err := ApplyFixes(doc, SpecVersion{Name: "1.41", Minor: 41}, fixes[:2], used, nil); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/containers/{id}/logs", "/services/{id}/logs"} {
		op := doc["paths"].(map[string]any)[path].(map[string]any)["get"].(map[string]any)
		if op["x-sdk-stream"] != "output" {
			t.Errorf("%s: not fixed: %v", path, op)
		}
	}
	if len(used) != 2 {
		t.Errorf("used records %v, want each operation", used)
	}

	// In a range, an operation of the list that a version lacks fails
	// loudly, naming it.
	delete(doc["paths"].(map[string]any), "/services/{id}/logs")
	err = ApplyFixes(doc, SpecVersion{Name: "1.41", Minor: 41}, fixes[:2], map[string]bool{}, nil)
	if err == nil || !strings.Contains(err.Error(), `"stream-output" (operation ServiceLogs)`) {
		t.Errorf("a missing listed operation: %v", err)
	}
}

// TestFixCombinationsRefused: a fix whose parts cannot be applied together
// fails at load, naming the fix and what is wrong.
func TestFixCombinationsRefused(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"set: {a: 1}", "needs exactly one of operation, operations or definition"},
		{"operation: A\ndefinition: B\nset: {a: 1}", "needs exactly one of operation, operations or definition"},
		{"operation: A\noperations: [B, C]\nset: {a: 1}", "needs exactly one of operation, operations or definition"},
		{"operations: [A]\nset: {a: 1}", "operations lists one operation"},
		{"operations: [A, A]\nset: {a: 1}", "operations lists A twice"},
		{`operations: [A, "*"]` + "\nparameter: p\nset: {a: 1}", `"*" is not an operationId`},
		{"operation: A", "does nothing"},
		{"operation: A\nversions: 1.x\nset: {a: 1}", `bad version "1.x"`},
		{"operation: A\nrename: B", "rename and copyFrom move or copy a whole definition"},
		{"definition: A\nrename: B\nset: {a: 1}", "rename and copyFrom move or copy a whole definition"},
		{"definition: A\ncopyFrom: \"1.41\"\nproperty: x", "rename and copyFrom move or copy a whole definition"},
		{"definition: A\nparameter: p\nset: {a: 1}", "parameter, response and schema narrow an operation, not a definition"},
		{"definition: A\nschema: true\nset: {a: 1}", "parameter, response and schema narrow an operation, not a definition"},
		{"operation: A\nparameter: p\nresponse: \"200\"\nset: {a: 1}", "targets both a parameter and a response"},
		{"operation: A\nschema: true\nset: {a: 1}", "schema needs the parameter or response"},
		{"operation: A\nresponse: \"200\"\nproperty: x\nset: {a: 1}", "it needs schema: true"},
		{`operation: "*"` + "\nset: {a: 1}", `operation "*" means every operation with a parameter`},
		{"operation: A\nadd: {name: p}", "add creates a missing parameter or response: it needs parameter or response"},
		{"definition: A\nadd: {name: p}", "add creates a missing parameter or response"},
		{`operation: "*"` + "\nparameter: p\nadd: {name: p}", `it cannot take operation "*", schema or property`},
		{"operation: A\nparameter: p\nschema: true\nproperty: x\nadd: {type: string}", `it cannot take operation "*", schema or property`},
		{"operations: [A, B]\nresponse: \"200\"\nschema: true\nextract: X", "extract makes one definition of one schema"},
		{"definition: A\nreplace: {type: string}\nhoist: items", "replace would discard what hoist lifts"},
	} {
		_, err := parseFixes("fixes.yaml", []byte("- id: bad-fix\n  reason: r\n  "+strings.ReplaceAll(c.body, "\n", "\n  ")+"\n"))
		if err == nil {
			t.Errorf("%s: accepted", c.body)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, `fix "bad-fix": `) || !strings.Contains(msg, c.want) {
			t.Errorf("%s:\n  %s\nwant the fix's id and %q", c.body, msg, c.want)
		}
	}
}
