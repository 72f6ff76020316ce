package testdaemon

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
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

// fakeTB records what Host and Registry do with a test: skip it, fail it, or let it go on.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

// stop ends the function under test at Skipf or Fatalf, as testing does with runtime.Goexit.
type stop struct{}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	panic(stop{})
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	panic(stop{})
}

// call runs fn(f) and returns what it returned, "" when it stopped the test.
func (f *fakeTB) call(fn func(testing.TB) string) (got string) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stop); !ok {
				panic(r)
			}
		}
	}()
	return fn(f)
}

func TestHostAndRegistryFromEnvironment(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(testing.TB) string
		env  string
		set  string
	}{
		{"Host", Host, EnvHost, "unix:///tmp/some-daemon/docker.sock"},
		{"Registry", Registry, EnvRegistry, "127.0.0.1:5099"},
	} {
		t.Run(c.name+" set", func(t *testing.T) {
			t.Setenv(c.env, c.set)
			t.Setenv(EnvRequire, "1")
			f := &fakeTB{}
			if got := f.call(c.fn); got != c.set || f.skipped != "" || f.failed != "" {
				t.Errorf("%s = %q (skipped %q, failed %q), want %q", c.name, got, f.skipped, f.failed, c.set)
			}
		})
		t.Run(c.name+" unset skips", func(t *testing.T) {
			t.Setenv(c.env, "")
			t.Setenv(EnvRequire, "")
			f := &fakeTB{}
			if got := f.call(c.fn); got != "" || f.skipped == "" || f.failed != "" {
				t.Fatalf("%s = %q (skipped %q, failed %q), want a skip", c.name, got, f.skipped, f.failed)
			}
			// The message says how to run the test.
			for _, want := range []string{c.env, "make test", EnvRequire + "=1"} {
				if !strings.Contains(f.skipped, want) {
					t.Errorf("skip message %q does not mention %q", f.skipped, want)
				}
			}
		})
		t.Run(c.name+" unset and required fails", func(t *testing.T) {
			t.Setenv(c.env, "")
			t.Setenv(EnvRequire, "1")
			f := &fakeTB{}
			if got := f.call(c.fn); got != "" || f.skipped != "" || !strings.Contains(f.failed, c.env) {
				t.Errorf("%s = %q (skipped %q, failed %q), want a failure naming %s", c.name, got, f.skipped, f.failed, c.env)
			}
		})
	}

	t.Setenv(EnvHost, "")
	if h, err := Start(); h != "" || err == nil || !strings.Contains(err.Error(), EnvHost) {
		t.Errorf("Start without %s = %q, %v; want an error naming it", EnvHost, h, err)
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
