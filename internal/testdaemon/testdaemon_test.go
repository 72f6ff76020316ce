package testdaemon

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSocketPath(t *testing.T) {
	for in, want := range map[string]string{
		"unix:///tmp/dockersdk-daemon/docker.sock": "/tmp/dockersdk-daemon/docker.sock",
		"unix:///var/run/docker.sock":              "/var/run/docker.sock",
		"/var/run/docker.sock":                     "/var/run/docker.sock",
		"tcp://127.0.0.1:2375":                     "tcp://127.0.0.1:2375",
	} {
		if got := SocketPath(in); got != want {
			t.Errorf("SocketPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindRepoRoot(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := findRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Dir(filepath.Dir(wd)); root != want { // internal/testdaemon
		t.Errorf("findRepoRoot(%q) = %q, want %q", wd, root, want)
	}
	for _, s := range []string{"testdaemon.sh", "registry.sh"} {
		if _, err := os.Stat(filepath.Join(root, "scripts", s)); err != nil {
			t.Errorf("scripts/%s: %v", s, err)
		}
	}

	// Another module's go.mod on the way up is passed over; none at all is an error.
	tmp := t.TempDir()
	other := filepath.Join(tmp, "other")
	if err := os.MkdirAll(filepath.Join(other, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("// c\nmodule \"github.com/dockerclient/docker\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := findRepoRoot(filepath.Join(other, "sub")); err != nil || got != tmp {
		t.Errorf("findRepoRoot under another module = %q, %v; want %q", got, err, tmp)
	}
	if err := os.Remove(filepath.Join(tmp, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if _, err := findRepoRoot(filepath.Join(other, "sub")); err == nil {
		t.Errorf("findRepoRoot without the module's go.mod: no error")
	}
}

func TestLastLineAndTail(t *testing.T) {
	if got := lastLine("a\nb\nunix:///x/docker.sock\n\n"); got != "unix:///x/docker.sock" {
		t.Errorf("lastLine = %q", got)
	}
	if got := lastLine(""); got != "" {
		t.Errorf("lastLine(\"\") = %q", got)
	}
	if got := tail("1\n2\n3\n4\n", 2); got != "3\n4" {
		t.Errorf("tail = %q", got)
	}
}

func requireBusybox(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(BusyboxPath); err != nil {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s: %v", BusyboxPath, err)
		}
		t.Skipf("%s missing (scripts/testdaemon.sh install puts it there): %v", BusyboxPath, err)
	}
}

func TestBusyboxRootfs(t *testing.T) {
	requireBusybox(t)
	data, err := BusyboxRootfs()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}

	type entry struct {
		typ  byte
		mode int64
		link string
		body string
	}
	got := map[string]entry{}
	var order []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: owner %d:%d, want 0:0", h.Name, h.Uid, h.Gid)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = entry{h.Typeflag, h.Mode, h.Linkname, string(body)}
		order = append(order, h.Name)
	}

	want := map[string]entry{
		"bin/":        {tar.TypeDir, 0o755, "", ""},
		"bin/busybox": {tar.TypeReg, 0o755, "", string(bin)},
		"dev/":        {tar.TypeDir, 0o755, "", ""},
		"etc/":        {tar.TypeDir, 0o755, "", ""},
		"etc/passwd":  {tar.TypeReg, 0o644, "", "root:x:0:0:root:/root:/bin/sh\n"},
		"etc/group":   {tar.TypeReg, 0o644, "", "root:x:0:\n"},
		"proc/":       {tar.TypeDir, 0o555, "", ""},
		"root/":       {tar.TypeDir, 0o700, "", ""},
		"sys/":        {tar.TypeDir, 0o555, "", ""},
		"tmp/":        {tar.TypeDir, 0o1777, "", ""},
	}
	for _, a := range []string{"sh", "cat", "echo", "sleep", "ls", "true", "false", "env", "id", "top",
		"wc", "head", "yes", "dd", "printf", "tee"} {
		want["bin/"+a] = entry{tar.TypeSymlink, 0o777, "busybox", ""}
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: missing", name)
		case g.typ != w.typ || g.mode != w.mode || g.link != w.link:
			t.Errorf("%s: type %q mode %o link %q; want type %q mode %o link %q", name, g.typ, g.mode, g.link, w.typ, w.mode, w.link)
		case g.body != w.body:
			t.Errorf("%s: content differs (%d bytes, want %d)", name, len(g.body), len(w.body))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected entry %s", name)
		}
	}
	// A directory comes before what it holds.
	if i, j := slices.Index(order, "bin/"), slices.Index(order, "bin/busybox"); i > j {
		t.Errorf("bin/ comes after bin/busybox: %v", order)
	}

	again, err := BusyboxRootfs()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("two calls gave different archives")
	}
}

func TestReadStaticBusyboxRejects(t *testing.T) {
	dir := t.TempDir()
	notELF := filepath.Join(dir, "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := readStaticBusybox(notELF); err == nil || !strings.Contains(err.Error(), "busybox-static") {
		t.Errorf("non-ELF file: err = %v", err)
	}
	if _, err := readStaticBusybox(filepath.Join(dir, "missing")); err == nil {
		t.Errorf("missing file: no error")
	}
	// The test binary itself is dynamically linked when cgo is on; /bin/sh (dash) always is on Debian.
	if _, err := os.Stat("/bin/dash"); err == nil {
		if _, err := readStaticBusybox("/bin/dash"); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
			t.Errorf("/bin/dash: err = %v", err)
		}
	}
}
