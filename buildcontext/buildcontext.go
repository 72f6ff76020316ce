// Package buildcontext sends a directory as a build context: the tar stream
// that the image build endpoint (POST /build) takes as its body, with the
// files that the directory's .dockerignore names left out, as "docker build"
// leaves them out.
//
// Usage:
//
//	tarball, err := buildcontext.Dir("./app")
//	if err != nil {
//		return err
//	}
//	defer tarball.Close()
//	// pass tarball as the body of an image build
//
// The .dockerignore rules are Docker's own (see [Matcher]); [ReadIgnore] and
// [NewMatcher] are exported for builders that walk the context themselves.
//
// Where this package and the docker CLI still differ, it is on purpose:
//
//   - hard links are sent as separate files, each with its content, where
//     the CLI sends the second and later names as links to the first;
//   - a Dockerfile outside the context is refused (see [WithDockerfile]),
//     where the CLI sends it alongside under a generated name;
//   - a pattern's "\" before a letter ("\d", "\w"), a "^" outside a class
//     and such sequences inside "[...]" are matched literally, where
//     Docker's matcher hands them to Go's regular expressions as they are
//     ("\d" a digit, "^" an anchor that never matches there), an upstream
//     quirk no ignore file should rely on.
package buildcontext

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// IgnoreFile is the name of the ignore file at the context root.
const IgnoreFile = ".dockerignore"

// An Option changes how Dir builds the context.
type Option func(*config)

type config struct {
	dockerfile string
	owners     bool
}

// WithDockerfile names the Dockerfile, relative to the context root, that is
// sent even when .dockerignore leaves it out (as the docker CLI re-adds it);
// the default is "Dockerfile". Give the build the same name.
func WithDockerfile(name string) Option {
	return func(c *config) { c.dockerfile = name }
}

// WithFileOwners keeps each entry's uid and gid from the file system. By
// default they are 0, as the docker CLI sends them: the builder gives copied
// files root ownership (or --chown's) whatever the tar says, and the classic
// builder's cache hashes the headers, so the same files then hit the cache
// whoever sends them.
func WithFileOwners() Option {
	return func(c *config) { c.owners = true }
}

// Dir returns the build context of the directory dir as a tar stream, read
// as it is written: a goroutine walks dir and writes into a pipe, and ends
// when the tar is complete, when walking fails (the error is returned by
// Read, naming the file), or when the reader is closed. Close the reader
// when done with it, even early: an unread, unclosed stream holds its
// goroutine.
//
// Entries are named with forward slashes relative to dir, in sorted order,
// directories before their contents, so the same tree gives the same bytes.
// Headers keep the mode, the modification time (to the second), symbolic
// links as links (never followed) and devices and FIFOs as such; uid and
// gid are 0 unless [WithFileOwners]; user and group names, access and
// change times are left out. Sockets are skipped, as Docker skips them, and
// hard links are sent as separate files.
//
// The patterns of dir's .dockerignore, if any, leave paths out (see
// [Matcher]); the ignore file and the Dockerfile are always sent, as the
// docker CLI sends them. A left-out directory is walked only when an
// exception starts with its path, as Docker walks it (see
// [Matcher.SkipDir]), and is itself not sent: the daemon creates the
// parents of what it extracts.
//
// Errors found before streaming (no such directory, a malformed pattern)
// are returned by Dir itself.
func Dir(dir string, opts ...Option) (io.ReadCloser, error) {
	cfg := config{dockerfile: "Dockerfile"}
	for _, o := range opts {
		o(&cfg)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("buildcontext: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("buildcontext: %s is not a directory", dir)
	}
	dockerfile := cleanPattern(cfg.dockerfile)
	if filepath.IsAbs(cfg.dockerfile) || dockerfile == ".." || strings.HasPrefix(dockerfile, "../") {
		return nil, fmt.Errorf("buildcontext: Dockerfile %q is not inside the context %s", cfg.dockerfile, dir)
	}
	m, err := ignoreMatcher(dir, dockerfile)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		w := writer{tw: tar.NewWriter(pw), m: m, owners: cfg.owners}
		err := w.walk(dir, "", nil)
		if err == nil {
			err = w.tw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}

// ignoreMatcher reads dir's .dockerignore and adds exceptions for the ignore
// file and the Dockerfile where it leaves them out, as the docker CLI does
// (TrimBuildFilesFromExcludes).
func ignoreMatcher(dir, dockerfile string) (*Matcher, error) {
	var patterns []string
	f, err := os.Open(filepath.Join(dir, IgnoreFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("buildcontext: %w", err)
	default:
		patterns, err = ReadIgnore(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%w (in %s)", err, filepath.Join(dir, IgnoreFile))
		}
	}
	m, err := NewMatcher(patterns)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, filepath.Join(dir, IgnoreFile))
	}
	var keep []string
	for _, name := range []string{IgnoreFile, dockerfile} {
		if m.Match(name) {
			keep = append(keep, "!"+escapeGlob(name))
		}
	}
	if len(keep) == 0 {
		return m, nil
	}
	return NewMatcher(append(patterns, keep...))
}

// escapeGlob quotes the characters that patterns treat specially, so that
// the pattern matches name alone.
func escapeGlob(name string) string {
	var b strings.Builder
	for _, c := range name {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

type writer struct {
	tw     *tar.Writer
	m      *Matcher
	owners bool
}

// walk writes the entries of the directory abs, whose context path is rel
// ("" for the root), in name order. results are the patterns' results for
// rel (nil at the root), from which its entries are decided.
func (w *writer) walk(abs, rel string, results []bool) error {
	entries, err := os.ReadDir(abs)
	if err != nil {
		return fmt.Errorf("buildcontext: %w", err)
	}
	for _, e := range entries {
		name := path.Join(rel, e.Name())
		file := filepath.Join(abs, e.Name())
		excluded, inner := w.m.matchStep(name, results)
		if excluded {
			if e.IsDir() && w.m.exceptionUnder(name) {
				if err := w.walk(file, name, inner); err != nil {
					return err
				}
			}
			continue
		}
		if err := w.add(file, name); err != nil {
			return err
		}
		if e.IsDir() {
			if err := w.walk(file, name, inner); err != nil {
				return err
			}
		}
	}
	return nil
}

// add writes the header of one entry and, for a regular file, its content.
func (w *writer) add(file, name string) error {
	fi, err := os.Lstat(file)
	if err != nil {
		return fmt.Errorf("buildcontext: %w", err)
	}
	if fi.Mode()&fs.ModeSocket != 0 {
		return nil
	}
	var link string
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(file); err != nil {
			return fmt.Errorf("buildcontext: %w", err)
		}
	}
	hdr, err := tar.FileInfoHeader(noNames{fi}, link)
	if err != nil {
		return fmt.Errorf("buildcontext: %s: %w", file, err)
	}
	hdr.Name = name
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.ModTime = hdr.ModTime.Truncate(time.Second)
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	hdr.Uname, hdr.Gname = "", ""
	if !w.owners {
		hdr.Uid, hdr.Gid = 0, 0
	}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("buildcontext: %s: %w", name, err)
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("buildcontext: %w", err)
	}
	defer f.Close()
	// Exactly the size the header gave: a file that grew is cut there, one
	// that shrank is an error.
	if _, err := io.CopyN(w.tw, f, hdr.Size); err != nil {
		if err == io.EOF {
			err = fmt.Errorf("%s shrank while it was read", file)
		}
		return fmt.Errorf("buildcontext: %s: %w", name, err)
	}
	return nil
}

// noNames gives tar.FileInfoHeader empty user and group names, so that it
// does not look them up: the builder ignores them, and a lookup costs.
type noNames struct{ fs.FileInfo }

func (noNames) Uname() (string, error) { return "", nil }
func (noNames) Gname() (string, error) { return "", nil }
