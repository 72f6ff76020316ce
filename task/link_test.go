package task_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestRunLinksNoVersionPackage builds a program that uses task.Run alone
// and checks that its binary holds none of the version packages
// (v125 ... v157): the task layer calls by operationId.
func TestRunLinksNoVersionPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "runonly")
	if out, err := exec.Command("go", "build", "-o", bin, "./internal/runonly").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	nm, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`github\.com/dockerclient/docker/(v1[0-9]+)\.`).FindAllSubmatch(nm, -1) {
		seen[string(m[1])] = true
	}
	if len(seen) > 0 {
		t.Errorf("a program using task.Run links version packages %v", seen)
	}
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("task.Run alone: %.2f MiB, %d version packages", float64(st.Size())/(1<<20), len(seen))
}
