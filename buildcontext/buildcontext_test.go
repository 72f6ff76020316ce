package buildcontext

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker/internal/leakcheck"
)

func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }

var mtime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// makeTree writes files (path: content; a path ending in "/" is a
// directory, content "->target" a symbolic link) under a new directory, with
// one modification time, and returns the directory.
func makeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	var links []string
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(content[2:], p); err != nil {
				t.Skipf("no symbolic links here: %v", err)
			}
			links = append(links, p)
		default:
			mode := fs.FileMode(0o644)
			if strings.HasSuffix(name, ".sh") {
				mode = 0o755
			}
			if err := os.WriteFile(p, []byte(content), mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, mode); err != nil { // past the umask
				t.Fatal(err)
			}
		}
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		return os.Chtimes(p, mtime, mtime)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type entry struct {
	hdr  *tar.Header
	body string
}

// readTar reads the whole context, checking that it ends in a valid tar.
func readTar(t *testing.T, rc io.ReadCloser) []entry {
	t.Helper()
	defer rc.Close()
	var out []entry
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading the context: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("reading %s: %v", hdr.Name, err)
		}
		out = append(out, entry{hdr, string(body)})
	}
}

func names(entries []entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.hdr.Name)
	}
	return out
}

func dirContext(t *testing.T, dir string, opts ...Option) []entry {
	t.Helper()
	rc, err := Dir(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return readTar(t, rc)
}

var sample = map[string]string{
	"Dockerfile":     "FROM scratch\nCOPY . /\n",
	".dockerignore":  "# build output\nDockerfile\n.dockerignore\nbuild\n!build/keep.txt\n*.md\n",
	"README.md":      "readme",
	"main.go":        "package main\n",
	"run.sh":         "#!/bin/sh\n",
	"docs/guide.md":  "guide",
	"build/out.bin":  "binary",
	"build/keep.txt": "keep",
	"empty/":         "",
	"link":           "->main.go",
	"dangling":       "->nowhere",
}

func TestDirEntries(t *testing.T) {
	entries := dirContext(t, makeTree(t, sample))
	want := []string{
		".dockerignore", // left out by itself, sent anyway
		"Dockerfile",    // likewise
		"build/keep.txt",
		"dangling",
		"docs/",
		"docs/guide.md", // "*.md" is anchored at the root
		"empty/",
		"link",
		"main.go",
		"run.sh",
	}
	if got := names(entries); !reflect.DeepEqual(got, want) {
		t.Fatalf("entries\n%q\nwant\n%q", got, want)
	}
	byName := map[string]entry{}
	for _, e := range entries {
		byName[e.hdr.Name] = e
		if e.hdr.Uid != 0 || e.hdr.Gid != 0 || e.hdr.Uname != "" || e.hdr.Gname != "" {
			t.Errorf("%s: owner %d:%d (%q:%q), want 0:0 without names", e.hdr.Name, e.hdr.Uid, e.hdr.Gid, e.hdr.Uname, e.hdr.Gname)
		}
		if !e.hdr.AccessTime.IsZero() || !e.hdr.ChangeTime.IsZero() {
			t.Errorf("%s: access or change time sent", e.hdr.Name)
		}
		if e.hdr.Typeflag != tar.TypeSymlink && !e.hdr.ModTime.Equal(mtime) {
			t.Errorf("%s: mtime %v, want %v", e.hdr.Name, e.hdr.ModTime, mtime)
		}
	}
	checks := []struct {
		name     string
		typeflag byte
		mode     int64
		body     string
		link     string
	}{
		{"main.go", tar.TypeReg, 0o644, "package main\n", ""},
		{"run.sh", tar.TypeReg, 0o755, "#!/bin/sh\n", ""},
		{"Dockerfile", tar.TypeReg, 0o644, sample["Dockerfile"], ""},
		{"docs/", tar.TypeDir, 0o755, "", ""},
		{"link", tar.TypeSymlink, -1, "", "main.go"},
		{"dangling", tar.TypeSymlink, -1, "", "nowhere"},
	}
	for _, c := range checks {
		e := byName[c.name]
		if e.hdr.Typeflag != c.typeflag || e.body != c.body || e.hdr.Linkname != c.link {
			t.Errorf("%s: type %q, body %q, link %q; want %q, %q, %q", c.name, e.hdr.Typeflag, e.body, e.hdr.Linkname, c.typeflag, c.body, c.link)
		}
		if c.mode >= 0 && runtime.GOOS != "windows" && e.hdr.Mode&0o7777 != c.mode {
			t.Errorf("%s: mode %o, want %o", c.name, e.hdr.Mode, c.mode)
		}
	}
}

func TestDirDeterministic(t *testing.T) {
	dir := makeTree(t, sample)
	read := func() []byte {
		rc, err := Dir(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first, second := read(), read()
	if !bytes.Equal(first, second) {
		t.Error("two contexts of the same tree differ")
	}
}

// TestDirNames lists the entries sent for small trees.
func TestDirNames(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		opts  []Option
		want  []string
	}{
		{
			"no ignore file",
			map[string]string{"a/b/c": "c", "x": "x"}, nil,
			[]string{"a/", "a/b/", "a/b/c", "x"},
		},
		{
			// The default Dockerfile is not re-added when another is named.
			"another Dockerfile, inside a left-out directory",
			map[string]string{
				"build/Dockerfile.dev": "FROM scratch\n",
				"build/out.bin":        "binary",
				"Dockerfile":           "FROM scratch\n",
				".dockerignore":        "build\nDockerfile\n",
			},
			[]Option{WithDockerfile("./build/Dockerfile.dev")},
			[]string{".dockerignore", "build/Dockerfile.dev"},
		},
		{
			"a Dockerfile named with pattern metacharacters",
			map[string]string{
				"Dockerfile[1]": "FROM scratch\n",
				"Dockerfile1":   "FROM scratch\n",
				".dockerignore": "Dockerfile*\n",
			},
			[]Option{WithDockerfile("Dockerfile[1]")},
			[]string{".dockerignore", "Dockerfile[1]"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := names(dirContext(t, makeTree(t, c.files), c.opts...))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("entries %q, want %q", got, c.want)
			}
		})
	}
}

func TestDirFileOwners(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no uid on Windows")
	}
	entries := dirContext(t, makeTree(t, map[string]string{"a": "a"}), WithFileOwners())
	if len(entries) != 1 || entries[0].hdr.Uid != os.Getuid() || entries[0].hdr.Gid != os.Getgid() {
		t.Errorf("entries %+v, want a owned by %d:%d", entries, os.Getuid(), os.Getgid())
	}
}

func TestDirSkipsSockets(t *testing.T) {
	dir := makeTree(t, map[string]string{"a": "a"})
	l, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		t.Skipf("no unix socket here: %v", err)
	}
	defer l.Close()
	if got := names(dirContext(t, dir)); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("entries %q, want only a", got)
	}
}

// TestDirSendsWhatMatchKeeps checks the walk against the matcher: for several
// ignore files, the context holds exactly the files and links that Match
// keeps and that no skipped directory (SkipDir) holds, besides the two
// always sent.
func TestDirSendsWhatMatchKeeps(t *testing.T) {
	tree := map[string]string{
		"Dockerfile": "FROM scratch\n", "main.go": "", "README.md": "",
		"vendor/a/x.go": "", "vendor/a/x.txt": "", "vendor/b/keep": "",
		"docs/a.md": "", "docs/sub/b.md": "", "docs/secret.md": "",
		"build/bin/tool": "", "build/keep": "", "build/sub/keep": "",
		"deep/a/b/c/d.go": "", "deep/a/b/c/d.txt": "", "link": "->vendor",
	}
	for _, ignore := range []string{
		"vendor\n!**/*.go\n",
		"*\n!*/keep\n",
		"docs\n!docs/*.md\ndocs/secret.md\n",
		"build\n!build/sub\n",
		"**\n!deep/a/*/c\n",
		"deep/a\n!deep/a/b/c/*.go\n*.md\n",
		"**/*.go\n!vendor\n",
		"*/*/*\n!**/keep\n",
	} {
		t.Run(strings.ReplaceAll(ignore, "\n", " "), func(t *testing.T) {
			files := map[string]string{".dockerignore": ignore}
			for k, v := range tree {
				files[k] = v
			}
			dir := makeTree(t, files)
			patterns, err := ReadIgnore(strings.NewReader(ignore))
			if err != nil {
				t.Fatal(err)
			}
			m, err := NewMatcher(patterns)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for name := range files {
				if name == ".dockerignore" || name == "Dockerfile" {
					want = append(want, name)
					continue
				}
				if m.Match(name) || inSkippedDir(m, name) {
					continue
				}
				want = append(want, name)
			}
			var got []string
			for _, e := range dirContext(t, dir) {
				if e.hdr.Typeflag != tar.TypeDir {
					got = append(got, e.hdr.Name)
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("files sent\n%q\nwant what Match keeps outside skipped directories\n%q", got, want)
			}
		})
	}
}

// inSkippedDir reports whether a parent directory of name is skipped.
func inSkippedDir(m *Matcher, name string) bool {
	for i := range len(name) {
		if name[i] == '/' && m.SkipDir(name[:i]) {
			return true
		}
	}
	return false
}

// TestDirAsDockerWalks lists what Dir sends for ignore files on which a
// simpler reading of the patterns goes wrong. Each want is what moby's
// TarWithOptions (go-archive v0.3.3, patternmatcher v0.6.0) sends for the
// same tree, plus the .dockerignore, which the docker CLI always sends.
func TestDirAsDockerWalks(t *testing.T) {
	cases := []struct {
		name   string
		ignore string
		files  []string // a name ending in "/" is an empty directory
		want   []string
	}{
		{
			// "**/node_modules" is passed over at "node_modules", which
			// is already left out, so it does not match inside it.
			"a rule passed over at the directory does not match inside",
			"node_modules\n!node_modules/keep\n**/node_modules\n",
			[]string{"node_modules/keep", "node_modules/x", "main.go", "web/node_modules/y"},
			[]string{".dockerignore", "main.go", "node_modules/keep", "web/"},
		},
		{
			"a rule passed over at the root level",
			"*\n!src/main.go\nsrc\n",
			[]string{"src/main.go", "src/x.go", "README.md"},
			[]string{".dockerignore", "src/main.go"},
		},
		{
			"the same rule, repeated after the exception",
			"x\n!x/y\nx\n",
			[]string{"x/y", "x/z"},
			[]string{".dockerignore", "x/y"},
		},
		{
			// Docker enters a left-out directory only for an exception
			// that starts with its path.
			"an exception with a leading double star does not enter",
			"a\n!**/*.go\n",
			[]string{"a/x.go", "a/b/c.go", "a/keep", "main.go"},
			[]string{".dockerignore", "main.go"},
		},
		{
			"everything left out, then a double star exception",
			"**\n!**/*.go\n",
			[]string{"a/x.go", "a/b/c.go", "a/keep", "main.go"},
			[]string{".dockerignore", "main.go"},
		},
		{
			"an exception with a leading star does not enter",
			"*\n!*/keep\n",
			[]string{"a/x.go", "a/b/c.go", "a/keep", "main.go"},
			[]string{".dockerignore"},
		},
		{
			// "a" is entered ("a/*/keep" starts with "a/"), "a/b" is not.
			"a star below the directory's path",
			"a\n!a/*/keep\n",
			[]string{"a/b/keep", "a/keep", "a/c"},
			[]string{".dockerignore"},
		},
		{
			"nested exceptions",
			"a\n!a/b\na/b/c\n!a/b/c/keep\n",
			[]string{"a/b/c/keep", "a/b/c/other", "a/x", "a/b/y"},
			[]string{".dockerignore", "a/b/", "a/b/c/keep", "a/b/y"},
		},
		{
			"a directory brought back, then a file in it left out",
			"*\n!src\nsrc/*.tmp\n",
			[]string{"src/a.tmp", "src/main.go", "README.md"},
			[]string{".dockerignore", "src/", "src/main.go"},
		},
		{
			// An exception naming a directory does not reach inside a
			// directory that a later rule leaves out.
			"an exception for a directory is not tried below it",
			"**/*.go\n!vendor\n",
			[]string{"vendor/a/x.go", "vendor/b/keep", "main.go"},
			[]string{".dockerignore", "vendor/", "vendor/a/", "vendor/b/", "vendor/b/keep"},
		},
		{
			"patterns with a trailing slash",
			"build/\n!build/keep/\n",
			[]string{"build/keep/f", "build/out", "build/keepx/f"},
			[]string{".dockerignore", "build/keep/", "build/keep/f"},
		},
		{
			"an exception for a subdirectory",
			"build\n!build/sub\n",
			[]string{"build/bin/tool", "build/keep", "build/sub/keep"},
			[]string{".dockerignore", "build/sub/", "build/sub/keep"},
		},
		{
			"a depth rule with a double star exception",
			"*/*/*\n!**/keep\n",
			[]string{"vendor/b/keep", "build/sub/keep", "deep/a/b/c/d.go", "a/b"},
			[]string{".dockerignore", "a/", "a/b", "build/", "build/sub/", "build/sub/keep", "deep/", "deep/a/", "vendor/", "vendor/b/", "vendor/b/keep"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{".dockerignore": c.ignore}
			for _, f := range c.files {
				files[f] = ""
			}
			got := names(dirContext(t, makeTree(t, files)))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("entries\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

// TestDirCloseEarly closes the context after a few bytes of a large file:
// the writing goroutine must end, and Read must say the stream is closed.
func TestDirCloseEarly(t *testing.T) {
	dir := makeTree(t, map[string]string{"big": strings.Repeat("x", 4<<20), "small": "s"})
	rc, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(rc, make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	writers := func() (out []string) {
		for _, g := range leakcheck.Leaked() {
			if strings.Contains(g, "buildcontext.Dir.func") {
				out = append(out, g)
			}
		}
		return out
	}
	if len(writers()) != 1 {
		t.Fatalf("the writing goroutine is not seen while it writes:\n%s", strings.Join(leakcheck.Leaked(), "\n\n"))
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Read(make([]byte, 1)); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Read after Close: %v, want io.ErrClosedPipe", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		writers := writers()
		if len(writers) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the writing goroutine outlived Close:\n%s", strings.Join(writers, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDirErrors(t *testing.T) {
	dir := makeTree(t, map[string]string{"file": "x"})
	bad := makeTree(t, map[string]string{".dockerignore": "ok\n[a-\n"})
	cases := []struct {
		dir  string
		opts []Option
		msg  []string
	}{
		{filepath.Join(dir, "missing"), nil, []string{"buildcontext:", "missing", "no such file"}},
		{filepath.Join(dir, "file"), nil, []string{"buildcontext:", "file is not a directory"}},
		{bad, nil, []string{`pattern "[a-"`, filepath.Join(bad, ".dockerignore")}},
		{dir, []Option{WithDockerfile("../Dockerfile")}, []string{`Dockerfile "../Dockerfile" is not inside the context`}},
		{dir, []Option{WithDockerfile(filepath.Join(dir, "Dockerfile"))}, []string{"is not inside the context"}},
	}
	for _, c := range cases {
		rc, err := Dir(c.dir, c.opts...)
		if err == nil {
			rc.Close()
			t.Errorf("Dir(%s) gave no error", c.dir)
			continue
		}
		for _, m := range c.msg {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("Dir(%s) error %q does not say %q", c.dir, err, m)
			}
		}
	}
}

// TestDirReadError removes a file while the context is being read, before
// the walk reaches it: the stream must end with an error naming the file.
// The writer cannot pass the large first file until it is read, so the
// removal always comes first.
func TestDirReadError(t *testing.T) {
	dir := makeTree(t, map[string]string{"a": strings.Repeat("a", 1<<20), "gone": "g", "z": "z"})
	rc, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadFull(rc, make([]byte, 512)); err != nil { // a's header
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "gone")
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), gone) {
		t.Errorf("reading a context whose file vanished: %v, want an error naming %s", err, gone)
	}
}
