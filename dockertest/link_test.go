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
// list says which) and no symbol of go-openapi or yaml; the size is logged.
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
	// A test binary's build info lists no dependencies, so ask go list
	// which packages (and their modules) the test links.
	list := exec.Command("go", "list", "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}}|{{with .Module}}{{.Path}}{{end}}{{end}}", ".")
	list.Dir = dir
	list.Env = build.Env
	pkgList, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var sdkPkgs []string
	for _, line := range strings.Split(strings.TrimSpace(string(pkgList)), "\n") {
		f := strings.Split(line, "|")
		if len(f) < 2 || f[1] == "example.com/user" || f[1] == "" && strings.HasPrefix(f[0], "example.com/user") {
			continue
		}
		if f[1] != "github.com/dockerclient/docker" {
			t.Errorf("a test using dockertest links %s of module %s; want the standard library and this SDK only", f[0], f[1])
			continue
		}
		sdkPkgs = append(sdkPkgs, strings.TrimPrefix(f[0], "github.com/dockerclient/"))
	}
	if len(sdkPkgs) == 0 {
		t.Errorf("go list found no package of this SDK in the test:\n%s", pkgList)
	}
	nm, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"go-openapi", "yaml"} {
		if strings.Contains(string(nm), bad) {
			t.Errorf("the binary has %s symbols", bad)
		}
	}
	// A version package would mean the tables dragged typed code in.
	if m := regexp.MustCompile(`github\.com/dockerclient/docker/v1[0-9]+\.`).Find(nm); m != nil {
		t.Errorf("the binary links a version package: %s", m)
	}
	sort.Strings(sdkPkgs)
	st, _ := os.Stat(bin)
	t.Logf("user test binary (%s/%s): %.1f MiB; SDK packages %v", runtime.GOOS, runtime.GOARCH, float64(st.Size())/(1<<20), sdkPkgs)
}
