package buildkit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestExampleLinksOnlyTheSDK builds examples/buildkit-progress and checks
// that its binary depends on no module but the SDK (no gRPC, no protobuf
// library, no BuildKit) and holds no version package.
func TestExampleLinksOnlyTheSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "buildkit-progress")
	if out, err := exec.Command("go", "build", "-o", bin, "../examples/buildkit-progress").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	mods, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	for _, line := range strings.Split(string(mods), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "dep" {
			t.Errorf("the example depends on module %s", f[1])
		}
	}
	nm, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	if m := regexp.MustCompile(`github\.com/dockerclient/docker/v1[0-9]+\.`).Find(nm); m != nil {
		t.Errorf("the example links a version package (%s)", m)
	}
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("examples/buildkit-progress: %.2f MiB, no module but the SDK", float64(st.Size())/(1<<20))
}
