package gen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden generates the fixture specs in testdata/specs and compares
// every file with testdata/golden/<path>.golden.
func TestGolden(t *testing.T) {
	m, err := Load("testdata/specs")
	if err != nil {
		t.Fatal(err)
	}
	files, err := m.RenderAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range files {
		golden := filepath.Join("testdata", "golden", f.Path+".golden")
		want[golden] = true
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (run: go test ./gen -run TestGolden -update)", f.Path, err)
			continue
		}
		if !bytes.Equal(old, f.Content) {
			got := filepath.Join(t.TempDir(), filepath.Base(golden))
			os.WriteFile(got, f.Content, 0o644)
			t.Errorf("%s differs from its golden file:\n  diff -u %s %s\n(if the change is intended: go test ./gen -run TestGolden -update)", f.Path, golden, got)
		}
	}
	filepath.Walk(filepath.Join("testdata", "golden"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !want[p] {
			if *update {
				os.Remove(p)
			} else {
				t.Errorf("stale golden file %s", p)
			}
		}
		return nil
	})
}

// TestDeterministic renders the fixtures twice and expects the same bytes.
func TestDeterministic(t *testing.T) {
	render := func() []File {
		m, err := Load("testdata/specs")
		if err != nil {
			t.Fatal(err)
		}
		files, err := m.RenderAll()
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	a, b := render(), render()
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Content, b[i].Content) {
			t.Fatalf("%s rendered differently the second time", a[i].Path)
		}
	}
}

// TestFixtureModel checks what the fixtures are there to exercise.
func TestFixtureModel(t *testing.T) {
	m, err := Load("testdata/specs")
	if err != nil {
		t.Fatal(err)
	}
	p26 := m.Pkgs[1]
	src := map[string]string{}
	files, _ := m.RenderPackage(p26)
	for _, f := range files {
		src[f.Path] = string(f.Content)
	}
	container := src["v126/container_gen.go"]
	types := src["v126/container_types_gen.go"]
	for _, want := range []string{
		"func (c *Client) ContainerStop(ctx context.Context, id string, opts ContainerStopOptions) error",
		"T *int\n",                                 // optional integer: a pointer, so t=0 is sent only on purpose
		"All bool\n",                               // flag whose default is false
		"Filters docker.Filters\n",                 // JSON query parameter as a Go value
		"([]Summary, error)",                       // the fixed list result
		"(*docker.Output, error)",                  // logs stream
		"*docker.JSONStream[SystemEventsResponse]", // events stream of the inline schema
	} {
		if !strings.Contains(container+src["v126/system_gen.go"], want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	for _, want := range []string{
		"PIDsLimit *int64 `json:\"PidsLimit,omitempty\"`", // x-nullable
		"Memory int64 `json:\"Memory,omitempty\"`",        // flattened from allOf
		"ExposedPorts map[string]struct{}",                // a set
		"RestartPolicyNameOnFailure HostConfigRestartPolicyName = \"on-failure\"",
		"Cmd []string",
		"Added in API v1.26.", // Summary.Status
	} {
		// Fields without a doc comment are aligned by gofmt: compare
		// with single spaces.
		if !strings.Contains(strings.Join(strings.Fields(types+src["v126/types_gen.go"]), " "), want) {
			t.Errorf("generated types lack %q", want)
		}
	}
	// A schema named after where it sits must not take the type of a
	// definition that happens to have that name (ImageDelete returned one
	// item instead of a list; Image.ID became an object).
	for _, want := range []string{
		"func (c *Client) ImageDelete(ctx context.Context, name string) ([]ImageDeleteResponse, error)",
		"ID string `json:\"Id,omitempty\"`",
	} {
		if !strings.Contains(src["v126/image_gen.go"]+src["v126/image_types_gen.go"], want) {
			t.Errorf("generated image code lacks %q", want)
		}
	}
	if !strings.Contains(src["v126/volume_gen.go"], "// Added in API v1.26.") {
		t.Error("VolumeUpdate does not say when it was added")
	}
}
