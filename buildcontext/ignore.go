package buildcontext

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ReadIgnore reads the patterns of a .dockerignore file as the Docker CLI
// does (moby/patternmatcher's ignorefile.ReadAll): one pattern a line; a line
// that starts with "#" is a comment (a "#" after leading spaces is not);
// surrounding whitespace is trimmed and blank lines dropped; a leading "!"
// marks an exception; each pattern is cleaned (filepath.Clean), written with
// forward slashes and stripped of a leading "/", since patterns are relative
// to the context root. A UTF-8 byte order mark on the first line is dropped.
func ReadIgnore(r io.Reader) ([]string, error) {
	var patterns []string
	sc := bufio.NewScanner(r)
	for first := true; sc.Scan(); first = false {
		line := sc.Bytes()
		if first {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		if bytes.HasPrefix(line, []byte("#")) {
			continue
		}
		p := strings.TrimSpace(string(line))
		if p == "" {
			continue
		}
		exclusion := p[0] == '!'
		if exclusion {
			p = strings.TrimSpace(p[1:])
		}
		if p != "" {
			p = cleanPattern(p)
		}
		if exclusion {
			p = "!" + p
		}
		patterns = append(patterns, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("buildcontext: reading ignore patterns: %w", err)
	}
	return patterns, nil
}

// cleanPattern cleans p, writes it with forward slashes and makes it
// relative to the context root.
func cleanPattern(p string) string {
	p = filepath.ToSlash(filepath.Clean(p))
	if len(p) > 1 && p[0] == '/' {
		p = p[1:]
	}
	return p
}

// A Matcher decides which paths of a build context .dockerignore patterns
// leave out, by the rules of Docker's own matcher (moby/patternmatcher):
//
//   - a path is matched against each pattern in turn, and the last pattern
//     that matches it decides: left out, or, for a "!" exception, kept;
//   - a pattern is tried only where it could change the answer: a rule
//     once the path is already left out, an exception once it is kept, is
//     passed over;
//   - a pattern that matched a directory matches everything inside it, and
//     one passed over there is tried against the inner path itself only:
//     with "node_modules", "!node_modules/keep", "**/node_modules", the
//     third is passed over at "node_modules", which is already left out, so
//     "node_modules/keep" is kept;
//   - "*" matches any run of characters but "/", "?" one character but "/",
//     "[a-z]" and "[^a-z]" a class, "\" escapes the next character (on
//     Unix; on Windows "\" is a separator), and "**" any number of
//     directories, none included: "**/*.go" matches "main.go" and "a/b/c.go";
//   - patterns are anchored at the context root: "*.md" matches "README.md"
//     but not "docs/guide.md".
//
// A Matcher is safe for concurrent use.
type Matcher struct {
	patterns   []pattern
	exclusions bool
}

type pattern struct {
	text      string // cleaned, without the "!"
	exclusion bool
	kind      matchKind
	re        *regexp.Regexp
}

type matchKind int

const (
	matchExact  matchKind = iota // the path is the text
	matchPrefix                  // "foo**": the path starts with "foo"
	matchSuffix                  // "**foo": the path ends with "foo"
	matchRegexp
)

// NewMatcher compiles patterns as ReadIgnore returns them; patterns from
// elsewhere are cleaned the same way. Blank patterns are skipped; a lone "!"
// or a malformed pattern ("[a-") is an error naming it.
func NewMatcher(patterns []string) (*Matcher, error) {
	m := &Matcher{}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		var pat pattern
		if p[0] == '!' {
			pat.exclusion = true
			p = strings.TrimSpace(p[1:])
			if p == "" {
				return nil, errors.New(`buildcontext: illegal exclusion pattern "!"`)
			}
			m.exclusions = true
		}
		pat.text = cleanPattern(p)
		if _, err := path.Match(pat.text, "."); err != nil {
			return nil, fmt.Errorf("buildcontext: pattern %q: %w", p, err)
		}
		if err := pat.compile(); err != nil {
			return nil, fmt.Errorf("buildcontext: pattern %q: %w", p, err)
		}
		m.patterns = append(m.patterns, pat)
	}
	return m, nil
}

// compile classifies the pattern as Docker does (an exact name, a prefix
// before a final "**", a suffix after a leading "**", or else a regular
// expression) and builds the expression.
func (p *pattern) compile() error {
	var re strings.Builder
	re.WriteString("^")
	p.kind = matchExact
	s := p.text
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		start := i
		i += n
		switch c {
		case '*':
			if i < len(s) && s[i] == '*' {
				i++
				if i < len(s) && s[i] == '/' {
					i++ // "**/" is "**"
				}
				switch {
				case i == len(s) && p.kind == matchExact:
					p.kind = matchPrefix
				case i == len(s):
					re.WriteString(".*")
					p.kind = matchRegexp
				default:
					re.WriteString("(.*/)?")
					p.kind = matchRegexp
				}
				if start == 0 {
					p.kind = matchSuffix
				}
			} else {
				re.WriteString("[^/]*")
				p.kind = matchRegexp
			}
		case '?':
			re.WriteString("[^/]")
			p.kind = matchRegexp
		case '\\':
			if i == len(s) {
				return filepath.ErrBadPattern // path.Match refuses it too
			}
			e, n := utf8.DecodeRuneInString(s[i:])
			i += n
			re.WriteString(regexp.QuoteMeta(string(e)))
			p.kind = matchRegexp
		case '[':
			end, class := translateClass(s[i:])
			if end < 0 {
				return filepath.ErrBadPattern
			}
			i += end
			re.WriteString(class)
			p.kind = matchRegexp
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if p.kind != matchRegexp {
		return nil
	}
	re.WriteString("$")
	var err error
	p.re, err = regexp.Compile(re.String())
	return err
}

// translateClass turns the body of a character class of path.Match (s
// follows the "[") into a regular expression class, and returns how much of
// s it used (through the "]"), or -1 if the class is not closed.
func translateClass(s string) (int, string) {
	var b strings.Builder
	b.WriteString("[")
	i := 0
	if i < len(s) && s[i] == '^' {
		b.WriteString("^")
		i++
	}
	for i < len(s) {
		c, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case c == ']':
			b.WriteString("]")
			return i, b.String()
		case c == '\\':
			if i == len(s) {
				return -1, ""
			}
			c, n = utf8.DecodeRuneInString(s[i:])
			i += n
			b.WriteString(regexp.QuoteMeta(string(c)))
		case c == '-':
			b.WriteString("-")
		case c < utf8.RuneSelf && !isWordByte(byte(c)):
			b.WriteString(`\` + string(c))
		default:
			b.WriteRune(c)
		}
	}
	return -1, ""
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func (p *pattern) match(name string) bool {
	switch p.kind {
	case matchExact:
		return name == p.text
	case matchPrefix:
		return strings.HasPrefix(name, p.text[:len(p.text)-2])
	case matchSuffix:
		suffix := p.text[2:]
		// "**/foo" matches "foo" too.
		return strings.HasSuffix(name, suffix) || strings.HasPrefix(suffix, "/") && name == suffix[1:]
	default:
		return p.re.MatchString(name)
	}
}

// Match reports whether the patterns leave name out of the context, as
// Docker's walk decides it when it reaches name. name is a path relative to
// the context root, with forward slashes (or the system's separator). The
// root itself is never left out.
func (m *Matcher) Match(name string) bool {
	name = cleanPattern(name)
	if name == "." || name == "/" {
		return false
	}
	var (
		excluded bool
		results  []bool
	)
	// Decide each parent in turn, outermost first, as the walk does:
	// "a", "a/b", then "a/b/c".
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '/' {
			excluded, results = m.matchStep(name[:i], results)
		}
	}
	return excluded
}

// matchStep decides name from the results that each pattern had for its
// parent directory (nil at the root), as moby/patternmatcher's
// MatchesUsingParentResults does, and returns each pattern's result for
// name. A pattern that matched the parent matches name; any other is tried
// against name itself only, and only where it could change the answer, so
// a pattern skipped there counts as not matching name, nor anything inside.
func (m *Matcher) matchStep(name string, parent []bool) (bool, []bool) {
	results := make([]bool, len(m.patterns))
	excluded := false
	for i := range m.patterns {
		p := &m.patterns[i]
		match := parent != nil && parent[i]
		if !match {
			if p.exclusion != excluded {
				continue
			}
			match = p.match(name)
		}
		results[i] = match
		if match {
			excluded = !p.exclusion
		}
	}
	return excluded, results
}

// SkipDir reports whether a walker leaves out the directory dir and all it
// holds, as Docker's walk does (moby/go-archive's TarWithOptions): dir is
// left out, and no "!" exception starts with dir's path ("!dir/keep" or
// "!dir/*/keep" for dir, not "!**/keep" or "!*/keep"). A directory that is
// left out but not skipped is walked, its entries matched one by one, and
// is itself not sent.
func (m *Matcher) SkipDir(dir string) bool {
	return m.Match(dir) && !m.exceptionUnder(cleanPattern(dir))
}

// exceptionUnder reports whether an exception's text starts with the
// directory dir's path, by which Docker's walk enters a left-out directory.
func (m *Matcher) exceptionUnder(dir string) bool {
	if !m.exclusions {
		return false
	}
	prefix := dir + "/"
	for _, p := range m.patterns {
		if p.exclusion && strings.HasPrefix(p.text+"/", prefix) {
			return true
		}
	}
	return false
}
