package docker_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

// TestBinaryLinksOnlyTheVersionItImports builds two programs and lists the
// version packages their binaries contain: the quickstart (root package +
// v141) must hold v141 alone, and a program that only makes dynamic calls
// must hold none, since Call works from the operation table, not from the
// typed packages.
func TestBinaryLinksOnlyTheVersionItImports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	cases := []struct {
		pkg  string
		want []string
	}{
		{"./examples/quickstart", []string{"v141"}},
		{"./internal/cmd/seedimage", nil},
	}
	versionPkg := regexp.MustCompile(`github\.com/dockerclient/docker/(v1[0-9]+)\.`)
	for _, c := range cases {
		bin := filepath.Join(t.TempDir(), "prog")
		build := exec.Command("go", "build", "-o", bin, c.pkg)
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", c.pkg, err, out)
		}
		nm, err := exec.Command("go", "tool", "nm", bin).Output()
		if err != nil {
			t.Fatalf("go tool nm: %v", err)
		}
		seen := map[string]bool{}
		for _, m := range versionPkg.FindAllSubmatch(nm, -1) {
			seen[string(m[1])] = true
		}
		var got []string
		for v := range seen {
			got = append(got, v)
		}
		sort.Strings(got)
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("%s links version packages %v, want %v", c.pkg, got, c.want)
		}
		st, _ := os.Stat(bin)
		t.Logf("%s: %.1f MiB, version packages %v", c.pkg, float64(st.Size())/(1<<20), got)
	}
}
