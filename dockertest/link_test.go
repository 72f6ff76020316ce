package dockertest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// TestUserTestBinaryLinksOnlyTheStandardLibrary builds what a user builds:
// the test binary of a module of its own that requires this SDK and starts
// a dockertest server. It must link no module besides the SDK (go version
// -m lists none) and no symbol of go-openapi or yaml; the size is logged.
func TestUserTestBinaryLinksOnlyTheStandardLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/user\n\ngo 1.24\n\nrequire github.com/dockerclient/docker v0.0.0\n\nreplace github.com/dockerclient/docker => "+root+"\n")
	write("user_test.go", `package user

import (
	"context"
	"testing"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dockertest"
)

func TestList(t *testing.T) {
	d := dockertest.Start(t, "1.47")
	c, err := docker.New(docker.WithHost(d.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var list []map[string]any
	if err := c.Call(context.Background(), "ContainerList", docker.Args{"all": true}, &list); err != nil {
		t.Fatal(err)
	}
}
`)
	bin := filepath.Join(dir, "user.test")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	mods, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var deps []string
	for _, line := range strings.Split(string(mods), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "dep" && f[1] != "github.com/dockerclient/docker" {
			deps = append(deps, f[1])
		}
	}
	if len(deps) > 0 {
		t.Errorf("a test binary using dockertest links modules %v, want only github.com/dockerclient/docker", deps)
	}
	nm, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]bool{}
	for _, m := range regexp.MustCompile(`github\.com/dockerclient/docker/([a-z0-9/]+)\.`).FindAllSubmatch(nm, -1) {
		pkgs[string(m[1])] = true
	}
	for _, bad := range []string{"go-openapi", "yaml"} {
		if strings.Contains(string(nm), bad) {
			t.Errorf("the binary has %s symbols", bad)
		}
	}
	var list []string
	for p := range pkgs {
		list = append(list, p)
	}
	sort.Strings(list)
	st, _ := os.Stat(bin)
	t.Logf("user test binary (%s/%s): %.1f MiB; SDK packages %v", runtime.GOOS, runtime.GOARCH, float64(st.Size())/(1<<20), list)
}
