package task

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A tree written by writeTar and read back by extractTar keeps its
// contents, modes, times and symbolic links.
func TestTarRoundTrip(t *testing.T) {
	src := filepath.Join(t.TempDir(), "tree")
	must(t, os.MkdirAll(filepath.Join(src, "sub", "deep"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "run.sh"), []byte("#!/bin/sh\n"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "sub", "deep", "data"), []byte("data"), 0o600))
	must(t, os.Symlink("sub/deep/data", filepath.Join(src, "link")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(src, "abs")))
	must(t, os.Chmod(filepath.Join(src, "sub"), 0o750))
	mtime := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
	must(t, os.Chtimes(filepath.Join(src, "run.sh"), mtime, mtime))

	var buf bytes.Buffer
	must(t, writeTar(&buf, src))
	names := map[string]*tar.Header{}
	tr := tar.NewReader(bytes.NewReader(buf.Bytes()))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		names[h.Name] = h
	}
	for _, want := range []string{"tree/", "tree/run.sh", "tree/sub/", "tree/sub/deep/data", "tree/link", "tree/abs"} {
		if names[want] == nil {
			t.Fatalf("archive lacks %s: %v", want, names)
		}
	}
	if h := names["tree/run.sh"]; h.Uid != os.Getuid() || h.Gid != os.Getgid() || h.Mode&0o777 != 0o755 {
		t.Errorf("run.sh header: uid %d gid %d mode %o", h.Uid, h.Gid, h.Mode)
	}

	dst := t.TempDir()
	must(t, extractTar(bytes.NewReader(buf.Bytes()), dst))
	check := func(rel string, mode os.FileMode) os.FileInfo {
		t.Helper()
		fi, err := os.Lstat(filepath.Join(dst, rel))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != mode {
			t.Errorf("%s: mode %v, want %v", rel, fi.Mode(), mode)
		}
		return fi
	}
	if fi := check("tree/run.sh", 0o755); !fi.ModTime().Equal(mtime) {
		t.Errorf("run.sh mtime %v, want %v", fi.ModTime(), mtime)
	}
	check("tree/sub", os.ModeDir|0o750)
	check("tree/sub/deep/data", 0o600)
	check("tree/link", os.ModeSymlink|0o777)
	if l, _ := os.Readlink(filepath.Join(dst, "tree/abs")); l != "/etc/passwd" {
		t.Errorf("abs links to %q", l)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "tree/link")); string(b) != "data" {
		t.Errorf("through link: %q", b)
	}
}

// Entries that would land outside the destination are refused with an
// error naming them, and nothing is written outside.
func TestExtractRefusesEscapes(t *testing.T) {
	type entry struct {
		name, link string
		typ        byte
	}
	cases := []struct {
		name    string
		entries []entry
		want    string
	}{
		{"dotdot", []entry{{name: "../evil", typ: tar.TypeReg}}, `"../evil": refusing a name that leaves`},
		{"inner dotdot", []entry{{name: "a/../../evil", typ: tar.TypeReg}}, `refusing a name that leaves`},
		{"dotdot in the middle", []entry{{name: "a/../evil", typ: tar.TypeReg}}, `refusing a name with ".."`},
		{"absolute", []entry{{name: "/tmp/evil", typ: tar.TypeReg}}, `"/tmp/evil": refusing an absolute name`},
		{"through a symlink", []entry{{name: "a", link: "..", typ: tar.TypeSymlink}, {name: "a/evil", typ: tar.TypeReg}},
			`"a/evil": refusing to write through the symbolic link`},
		{"through an absolute symlink", []entry{{name: "d", link: "/tmp", typ: tar.TypeSymlink}, {name: "d/x/evil", typ: tar.TypeReg}},
			`refusing to write through the symbolic link`},
		{"symlink then dir", []entry{{name: "d", link: "/tmp", typ: tar.TypeSymlink}, {name: "d/", typ: tar.TypeDir}},
			`exists and is not a directory`},
		{"hard link out", []entry{{name: "h", link: "../../etc/passwd", typ: tar.TypeLink}}, `refusing a name that leaves`},
		{"hard link absolute", []entry{{name: "h", link: "/etc/passwd", typ: tar.TypeLink}}, `refusing an absolute name`},
		{"device", []entry{{name: "dev", typ: tar.TypeChar}}, `are not extracted`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			for _, e := range tc.entries {
				h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644}
				if e.typ == tar.TypeReg {
					h.Size = 4
				}
				must(t, tw.WriteHeader(h))
				if e.typ == tar.TypeReg {
					tw.Write([]byte("evil"))
				}
			}
			must(t, tw.Close())
			parent := t.TempDir()
			dst := filepath.Join(parent, "a", "b")
			err := extractTar(&buf, dst)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("extractTar: %v, want an error saying %s", err, tc.want)
			}
			filepath.Walk(parent, func(p string, fi os.FileInfo, err error) error {
				if err == nil && fi.Name() == "evil" {
					t.Errorf("%s was written", p)
				}
				return nil
			})
		})
	}
}

func TestExitErrorAndTail(t *testing.T) {
	tail := newTail(8)
	tail.Write([]byte("abc"))
	tail.Write([]byte("defgh"))
	tail.Write([]byte("ij"))
	if got := string(tail.Bytes()); got != "cdefghij" {
		t.Errorf("tail %q", got)
	}
	tail.Write([]byte("0123456789"))
	if got := string(tail.Bytes()); got != "23456789" {
		t.Errorf("tail %q", got)
	}

	e := &ExitError{Code: 2, ContainerID: strings.Repeat("0123456789abcdef", 4), Stderr: []byte("\xa9t\xc3\xa9 fail\x1b[31m\n")}
	if got, want := e.Error(), `task: container 0123456789ab exited with code 2; stderr ends: "té fail\x1b[31m"`; got != want {
		t.Errorf("Error() = %s\nwant      %s", got, want)
	}
	e = &ExitError{Code: 1, ContainerID: "web", ExecID: "x"}
	if got, want := e.Error(), "task: exec in container web exited with code 1"; got != want {
		t.Errorf("Error() = %s, want %s", got, want)
	}
}

func TestSplitRef(t *testing.T) {
	for ref, want := range map[string][2]string{
		"busybox":                            {"busybox", "latest"},
		"busybox:1.36":                       {"busybox", "1.36"},
		"localhost:5000/app":                 {"localhost:5000/app", "latest"},
		"localhost:5000/app:2":               {"localhost:5000/app", "2"},
		"ghcr.io/o/app@sha256:abcdef":        {"ghcr.io/o/app", "sha256:abcdef"},
		"localhost:5000/app:2@sha256:abcdef": {"localhost:5000/app", "sha256:abcdef"},
	} {
		if n, tag := splitRef(ref); n != want[0] || tag != want[1] {
			t.Errorf("splitRef(%q) = %q, %q; want %q", ref, n, tag, want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Errors name a container as the caller did; only a full ID is shortened.
func TestErrorsKeepNames(t *testing.T) {
	id := strings.Repeat("ab", 32)
	for _, tc := range []struct{ container, want string }{
		{"no-such-container-at-all", "container no-such-container-at-all exited"},
		{id, "container " + id[:12] + " exited"},
	} {
		err := &ExitError{Code: 1, ContainerID: tc.container}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ExitError for %q: %q, want it to say %q", tc.container, err, tc.want)
		}
	}
}

// A line cut short on stdout is not completed by stderr's bytes.
func TestLineWritersKeepStreamsApart(t *testing.T) {
	var last []string
	match := func(l string) bool { return l == "ready" }
	out, errw := &lineWriter{match: match, last: &last}, &lineWriter{match: match, last: &last}
	if _, err := out.Write([]byte("rea")); err != nil {
		t.Fatal(err)
	}
	if _, err := errw.Write([]byte("dy\n")); err != nil {
		t.Fatalf("stderr's %q completed stdout's %q into a match", "dy", "rea")
	}
	if _, err := out.Write([]byte("dy\n")); err != errMatched {
		t.Errorf("stdout's own line %q did not match: %v", "ready", err)
	}
	if got := out.seen(); !strings.Contains(got, `"dy"`) || !strings.Contains(got, `"ready"`) {
		t.Errorf("seen() = %s, want both streams' lines", got)
	}
}
