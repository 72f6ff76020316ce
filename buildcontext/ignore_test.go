package buildcontext

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestMatch is a table of Docker's documented .dockerignore behaviour
// (docs.docker.com, "Dockerfile reference: .dockerignore file") and of
// moby/patternmatcher's rules: each case lists paths left out and kept.
func TestMatch(t *testing.T) {
	cases := []struct {
		name     string
		patterns []string
		out      []string // left out
		kept     []string
	}{
		{"star is anchored at the root", []string{"*.md"},
			[]string{"README.md", "CHANGES.md"},
			[]string{"docs/guide.md", "README.mdx", "main.go"}},
		{"exception re-includes", []string{"*.md", "!README.md"},
			[]string{"CHANGES.md"},
			[]string{"README.md"}},
		{"last match wins", []string{"*.md", "!README*.md", "README-secret.md"},
			[]string{"CHANGES.md", "README-secret.md"},
			[]string{"README.md", "README-public.md"}},
		{"exception before the rule does nothing", []string{"!README.md", "*.md"},
			[]string{"README.md"},
			nil},
		{"double star matches any depth, zero included", []string{"**/*.go"},
			[]string{"main.go", "a/b/c.go", "vendor/x/y.go"},
			[]string{"main.gox", "go", "a/go.mod"}},
		{"double star directory", []string{"**/node_modules"},
			[]string{"node_modules", "node_modules/x", "web/node_modules", "a/b/node_modules/c/d.js"},
			[]string{"node_modulesx", "web/node_modules2"}},
		{"double star in the middle", []string{"a/**/b"},
			[]string{"a/b", "a/x/b", "a/x/y/b", "a/x/b/c"},
			[]string{"b", "a/bb", "x/a/b"}},
		{"trailing double star", []string{"a/**"},
			[]string{"a/b", "a/b/c"},
			[]string{"a", "ab"}},
		{"double star alone", []string{"**"},
			[]string{"a", "a/b", ".dockerignore"},
			nil},
		{"question mark is one character", []string{"temp?"},
			[]string{"temp1", "tempA", "temp1/file"},
			[]string{"temp", "temp12", "a/temp1"}},
		{"star in a directory level", []string{"*/temp*"},
			[]string{"a/temp", "a/temporary", "a/temp/x"},
			[]string{"temp", "a/b/temp", "a/xtemp"}},
		{"star does not cross a slash", []string{"a*b"},
			[]string{"ab", "axxb"},
			[]string{"a/b", "ax/b"}},
		{"directory pattern with a trailing slash", []string{"dir/"},
			[]string{"dir", "dir/x", "dir/x/y"},
			[]string{"dirx", "a/dir"}},
		{"leading slash is the root", []string{"/abs"},
			[]string{"abs", "abs/x"},
			[]string{"x/abs"}},
		{"cleaned patterns", []string{"./a/../b//c/"},
			[]string{"b/c", "b/c/d"},
			[]string{"a/b/c"}},
		{"a directory's contents go with it", []string{".git"},
			[]string{".git", ".git/HEAD", ".git/refs/heads/main"},
			[]string{".gitignore", "sub/.git"}},
		{"exception inside an excluded directory", []string{"build", "!build/keep.txt"},
			[]string{"build", "build/out.bin", "build/keep.txt.bak"},
			[]string{"build/keep.txt"}},
		{"exception with a wildcard inside an excluded directory", []string{"docs", "!docs/*.md", "docs/secret.md"},
			[]string{"docs/x.txt", "docs/secret.md", "docs/sub/a.md"},
			[]string{"docs/a.md"}},
		{"exception re-includes a subdirectory", []string{"a", "!a/b"},
			[]string{"a", "a/c"},
			[]string{"a/b", "a/b/c"}},
		{"character classes", []string{"[abc].txt", "[^0-9]x", "[a-c]-[x-z]"},
			[]string{"a.txt", "c.txt", "ax", "b-y"},
			[]string{"d.txt", "1x", "b-a"}},
		{"escaped metacharacters", []string{`\*.txt`, `q\?`, `\[x\]`},
			[]string{"*.txt", "q?", "[x]"},
			[]string{"a.txt", "qa", "x"}},
		{"regexp characters are literal", []string{"a.b", "c+d", "(e)", "f$", "g^h", "{i}"},
			[]string{"a.b", "c+d", "(e)", "f$", "g^h", "{i}"},
			[]string{"axb", "ccd", "e", "f", "h", "i"}},
		{"leading double star matches a suffix, as Docker's does", []string{"**foo"},
			[]string{"foo", "barfoo", "a/barfoo"},
			[]string{"foobar"}},
		{"non-ASCII names", []string{"données/*", "!données/é?"},
			[]string{"données/a"},
			[]string{"données/éé", "donnees/a"}},
		{"the root is never left out", []string{"**", "*", "."},
			[]string{"x"},
			[]string{".", "", "./"}},
		{"paths given with a leading ./ or slash", []string{"a/b"},
			[]string{"./a/b", "/a/b", "a//b"},
			nil},
		{"a rule passed over at a directory does not match inside it",
			[]string{"node_modules", "!node_modules/keep", "**/node_modules"},
			[]string{"node_modules", "node_modules/x", "a/node_modules"},
			[]string{"node_modules/keep", "node_modules/keep/x"}},
		{"the same rule repeated after an exception",
			[]string{"x", "!x/y", "x"},
			[]string{"x", "x/z"},
			[]string{"x/y"}},
		{"an exception for a directory is not tried inside it",
			[]string{"**/*.go", "!vendor"},
			[]string{"vendor/a/x.go", "main.go"},
			[]string{"vendor", "vendor/a", "vendor/b/keep"}},
		{"no patterns", nil,
			nil,
			[]string{"a", "a/b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := NewMatcher(c.patterns)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range c.out {
				if !m.Match(p) {
					t.Errorf("%q: Match(%q) = false, want left out", c.patterns, p)
				}
			}
			for _, p := range c.kept {
				if m.Match(p) {
					t.Errorf("%q: Match(%q) = true, want kept", c.patterns, p)
				}
			}
		})
	}
}

func TestMatchSystemSeparator(t *testing.T) {
	m, err := NewMatcher([]string{"a/b"})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Match(filepath.Join("a", "b", "c")) {
		t.Errorf("Match(%q) = false", filepath.Join("a", "b", "c"))
	}
}

func TestSkipDir(t *testing.T) {
	cases := []struct {
		patterns []string
		dir      string
		want     bool
	}{
		{[]string{"build"}, "build", true},
		{[]string{"build"}, "src", false},
		{[]string{"build", "!build/keep.txt"}, "build", false},
		{[]string{"build", "!other/keep.txt"}, "build", true},
		// Docker enters a left-out directory only for an exception that
		// starts with its path, whatever wildcards could match inside.
		{[]string{"vendor", "!**/*.go"}, "vendor", true},
		{[]string{"a", "!*/keep"}, "a", true},
		{[]string{"a", "!a/b/c"}, "a", false},
		{[]string{"a", "!a/b/c"}, "a/b", false},
		{[]string{"a", "!a/b/c"}, "a/x", true},
		{[]string{"a", "!a/b*/c"}, "a", false},
		{[]string{"a", "!a/b*/c"}, "a/bz", true},
		{[]string{"a", "!ab/c"}, "a", true},
		{[]string{"a", "!a"}, "a", false},
		// The exception names the directory itself, and a later rule
		// leaves it out again: nothing inside is kept, but Docker's walk
		// still enters it.
		{[]string{"a", "!a", "a"}, "a", false},
		{[]string{"*", "!src/main.go"}, "docs", true},
		{[]string{"*", "!src/main.go"}, "src", false},
	}
	for _, c := range cases {
		m, err := NewMatcher(c.patterns)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.SkipDir(c.dir); got != c.want {
			t.Errorf("%q: SkipDir(%q) = %v, want %v", c.patterns, c.dir, got, c.want)
		}
	}
}

func TestNewMatcherErrors(t *testing.T) {
	for _, c := range []struct {
		pattern, msg string
	}{
		{"!", `illegal exclusion pattern "!"`},
		{"!  ", `illegal exclusion pattern "!"`},
		{"[a-", `pattern "[a-": syntax error in pattern`},
		{"a[", `pattern "a["`},
		{`a\`, `pattern "a\\"`},
		{"[]", `pattern "[]"`},
	} {
		_, err := NewMatcher([]string{"ok", c.pattern})
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("NewMatcher(%q) error = %v, want one saying %s", c.pattern, err, c.msg)
		}
	}
}

func TestReadIgnore(t *testing.T) {
	in := "\xEF\xBB\xBF# a comment\n" +
		"  # not a comment: only a # in the first column starts one\n" +
		"*.md\n" +
		"\n" +
		"\t  \n" +
		"  !README.md  \r\n" +
		"/abs/\n" +
		"! spaced\n" +
		"./dir//x/../y/\n" +
		"/\n" +
		"!\n"
	got, err := ReadIgnore(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"# not a comment: only a # in the first column starts one",
		"*.md", "!README.md", "abs", "!spaced", "dir/y", "/", "!",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadIgnore =\n%q\nwant\n%q", got, want)
	}
	// The last pattern, a lone "!", is Docker's error too.
	if _, err := NewMatcher(got); err == nil {
		t.Error(`NewMatcher accepted a lone "!"`)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadIgnoreError(t *testing.T) {
	_, err := ReadIgnore(failingReader{})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("ReadIgnore error = %v", err)
	}
}
