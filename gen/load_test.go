package gen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A spec that is not Swagger 2.0 is refused before any fix runs, with an
// error that says what it is, not a fix's "no definition".
func TestLoadSpecChecksFormatFirst(t *testing.T) {
	fix := []Fix{{ID: "needs-a-definition", Reason: "test", Def: "ContainerConfig",
		Set: map[string]any{"description": "x"}}}
	for _, tc := range []struct{ doc, want string }{
		{"openapi: 3.2.0\ninfo: {title: Engine}\n", "an OpenAPI 3.2.0 document; the generator reads Swagger 2.0"},
		{"swagger: \"1.2\"\n", `swagger "1.2", want "2.0"`},
		{"info: {title: Engine}\n", "neither a swagger nor an openapi field"},
	} {
		dir := t.TempDir()
		file := filepath.Join(dir, "v1.57.yaml")
		if err := os.WriteFile(file, []byte(tc.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadSpec(SpecVersion{Name: "1.57", Minor: 57, File: file}, fix)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), file) {
			t.Errorf("LoadSpec(%q) = %v, want an error naming %s and saying %q", tc.doc, err, file, tc.want)
		}
	}
}
