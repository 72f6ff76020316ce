package task

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/dockerclient/docker"
)

// CopyTo copies the file or directory tree at srcPath into the directory
// dstDir of a container, as dstDir/BASE where BASE is srcPath's last
// element. Modes, modification times, numeric owners (uid and gid) and
// symbolic links (never followed) are kept. The archive is built as it is
// sent, not in memory.
func CopyTo(ctx context.Context, c *docker.Client, container, dstDir, srcPath string) error {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(srcPath); err != nil {
		return fmt.Errorf("task: copying into container %s: %w", shortID(container), err)
	}
	pr, pw := io.Pipe()
	archived := make(chan error, 1)
	go func() {
		err := writeTar(pw, srcPath)
		pw.CloseWithError(err)
		archived <- err
	}()
	op := archiveOp(v, "PutContainerArchive", "ContainerPutArchive")
	// Wrapped, so that net/http cannot close the pipe itself when the
	// request ends early: the archiver then fails with errCopyEnded below,
	// never with a closed pipe that would hide the daemon's answer.
	body := struct{ io.Reader }{pr}
	err = c.CallVersion(ctx, v, op, docker.Args{"id": container, "path": dstDir, "inputStream": body}, nil)
	// Whatever the call did with the body, the archiver ends now.
	pr.CloseWithError(errCopyEnded)
	// A local failure (a file that cannot be read) is the cause; an
	// archive cut short by the daemon's answer is not.
	if aerr := <-archived; aerr != nil && !errors.Is(aerr, errCopyEnded) && !errors.Is(aerr, io.ErrClosedPipe) {
		return fmt.Errorf("task: copying %s into container %s: %w", srcPath, shortID(container), aerr)
	}
	if err != nil {
		return fmt.Errorf("task: copying %s into container %s at %s: %w", srcPath, shortID(container), dstDir, err)
	}
	return nil
}

var errCopyEnded = errors.New("the copy ended before the archive was written")

// CopyFrom copies the file or directory tree at srcPath in a container
// into the local directory dstDir (created when missing), as dstDir/BASE
// where BASE is srcPath's last element. Modes (without set-user-ID,
// set-group-ID and sticky bits), modification times and symbolic links are
// kept; the files belong to the caller. It refuses, with an error naming
// the entry, an archive entry that would land outside dstDir: an absolute
// name, a name with "..", a link to outside, or a path through a symbolic
// link. Files copied before the refusal stay.
func CopyFrom(ctx context.Context, c *docker.Client, container, srcPath, dstDir string) error {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	var archive *docker.Stream
	op := archiveOp(v, "ContainerArchive", "ContainerGetArchive")
	if err := c.CallVersion(ctx, v, op, docker.Args{"id": container, "path": srcPath}, &archive); err != nil {
		return fmt.Errorf("task: copying %s from container %s: %w", srcPath, shortID(container), err)
	}
	defer archive.Close()
	if err := extractTar(archive, dstDir); err != nil {
		return fmt.Errorf("task: copying %s from container %s: %w", srcPath, shortID(container), err)
	}
	return nil
}

// Stat describes the path in a container (following a symbolic link at its
// end).
func Stat(ctx context.Context, c *docker.Client, container, path string) (*docker.PathStat, error) {
	v, err := c.Negotiate(ctx)
	if err != nil {
		return nil, err
	}
	var h http.Header
	op := archiveOp(v, "ContainerArchiveInfo", "ContainerArchiveHead")
	if err := c.CallVersion(ctx, v, op, docker.Args{"id": container, "path": path}, &h); err != nil {
		return nil, fmt.Errorf("task: stat of %s in container %s: %w", path, shortID(container), err)
	}
	st, err := docker.DecodePathStat(h.Get(docker.PathStatHeader))
	if err != nil {
		return nil, fmt.Errorf("task: stat of %s in container %s: %w", path, shortID(container), err)
	}
	return st, nil
}

// writeTar writes a tar archive of the file or directory tree at srcPath to
// w, its entries named under srcPath's last element. It keeps modes,
// modification times, numeric owners and symbolic links (never followed);
// hard links are written as separate files; sockets are refused. It does
// not close w.
func writeTar(w io.Writer, srcPath string) error {
	abs, err := filepath.Abs(srcPath)
	if err != nil {
		return err
	}
	base := filepath.Base(abs)
	if base == string(filepath.Separator) {
		return fmt.Errorf("%s: copying the root directory is not supported; copy what is in it", srcPath)
	}
	tw := tar.NewWriter(w)
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(abs, p)
		if err != nil {
			return err
		}
		name := path.Join(base, filepath.ToSlash(rel))
		return writeEntry(tw, p, name)
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, p, name string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	var link string
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(p); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	hdr.Name = name
	if fi.IsDir() {
		hdr.Name += "/"
	}
	// Numeric owners only, as the daemon applies them; no access or change
	// times, which would need PAX records for nothing.
	hdr.Uname, hdr.Gname = "", ""
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(tw, io.LimitReader(f, hdr.Size))
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if n != hdr.Size {
		return fmt.Errorf("%s: the file shrank from %d to %d bytes while it was archived", p, hdr.Size, n)
	}
	return nil
}

// extractTar writes the entries of a tar archive under dstDir (created when
// missing), refusing every entry that would land outside it: absolute
// names, names with "..", hard links to outside, and paths through a
// symbolic link (a link the archive made, or one already there). Symbolic
// links themselves are created as they are, whatever they point to; they
// are never followed. Modes keep their permission bits only; directories
// get theirs once everything under them is written. Regular files,
// directories and links are extracted; other entry types are refused.
func extractTar(r io.Reader, dstDir string) error {
	root, err := filepath.Abs(dstDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	type dirMode struct {
		path  string
		mode  fs.FileMode
		mtime time.Time
	}
	var dirs []dirMode
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		rel, err := entryPath(hdr.Name)
		if err != nil {
			return err
		}
		if rel == "." {
			continue // the archive's own top; dstDir is there already
		}
		target := filepath.Join(root, rel)
		if err := makeParents(root, rel, hdr.Name); err != nil {
			return err
		}
		mode := hdr.FileInfo().Mode().Perm()
		switch hdr.Typeflag {
		case tar.TypeDir:
			fi, err := os.Lstat(target)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				if err := os.Mkdir(target, 0o700); err != nil {
					return err
				}
			case err != nil:
				return err
			case !fi.IsDir():
				return fmt.Errorf("archive entry %q: %s exists and is not a directory", hdr.Name, target)
			}
			dirs = append(dirs, dirMode{target, mode, hdr.ModTime})
		case tar.TypeReg:
			if err := clearPath(target, hdr.Name); err != nil {
				return err
			}
			if err := writeFile(target, tr, mode); err != nil {
				return fmt.Errorf("archive entry %q: %w", hdr.Name, err)
			}
			_ = os.Chtimes(target, hdr.ModTime, hdr.ModTime)
		case tar.TypeSymlink:
			if err := clearPath(target, hdr.Name); err != nil {
				return err
			}
			if err := os.Symlink(hdr.Linkname, target); err != nil {
				return fmt.Errorf("archive entry %q: %w", hdr.Name, err)
			}
		case tar.TypeLink:
			lrel, err := entryPath(hdr.Linkname)
			if err != nil {
				return fmt.Errorf("archive entry %q links to %q: %w", hdr.Name, hdr.Linkname, err)
			}
			if err := makeParents(root, lrel, hdr.Linkname); err != nil {
				return err
			}
			src := filepath.Join(root, lrel)
			if src == target {
				return fmt.Errorf("archive entry %q: a hard link to itself", hdr.Name)
			}
			if fi, err := os.Lstat(src); err != nil || !fi.Mode().IsRegular() {
				return fmt.Errorf("archive entry %q: links to %q, which is not a regular file under the destination", hdr.Name, hdr.Linkname)
			}
			if err := clearPath(target, hdr.Name); err != nil {
				return err
			}
			if err := os.Link(src, target); err != nil {
				return fmt.Errorf("archive entry %q: %w", hdr.Name, err)
			}
		default:
			return fmt.Errorf("archive entry %q: entries of type %q (devices, FIFOs) are not extracted", hdr.Name, hdr.Typeflag)
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Chmod(dirs[i].path, dirs[i].mode); err != nil {
			return err
		}
		_ = os.Chtimes(dirs[i].path, dirs[i].mtime, dirs[i].mtime)
	}
	return nil
}

// entryPath cleans an archive entry's name into a relative local path, or
// refuses it when it is absolute or climbs out with "..".
func entryPath(name string) (string, error) {
	if name == "" {
		return "", errors.New("archive entry with an empty name")
	}
	slashed := strings.ReplaceAll(name, `\`, "/")
	if path.IsAbs(slashed) || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
		return "", fmt.Errorf("archive entry %q: refusing an absolute name", name)
	}
	clean := path.Clean(slashed)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("archive entry %q: refusing a name that leaves the destination", name)
	}
	for _, elem := range strings.Split(slashed, "/") {
		if elem == ".." {
			return "", fmt.Errorf("archive entry %q: refusing a name with \"..\"", name)
		}
	}
	return filepath.FromSlash(clean), nil
}

// makeParents makes the directories above rel under root, refusing to go
// through anything that is not a real directory: a symbolic link there
// would send the entry elsewhere.
func makeParents(root, rel, entry string) error {
	dir := filepath.Dir(rel)
	if dir == "." {
		return nil
	}
	cur := root
	for _, elem := range strings.Split(dir, string(filepath.Separator)) {
		cur = filepath.Join(cur, elem)
		fi, err := os.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(cur, 0o755); err != nil {
				return err
			}
		case err != nil:
			return err
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("archive entry %q: refusing to write through the symbolic link %s", entry, cur)
		case !fi.IsDir():
			return fmt.Errorf("archive entry %q: %s is not a directory", entry, cur)
		}
	}
	return nil
}

// clearPath removes what is at target, unless it is a directory, so that
// an entry replaces a file or link instead of writing through it.
func clearPath(target, entry string) error {
	fi, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("archive entry %q: %s is a directory", entry, target)
	}
	return os.Remove(target)
}

// writeFile creates target, which must not exist (O_EXCL: never through a
// link put there meanwhile), and fills it from r.
func writeFile(target string, r io.Reader, mode fs.FileMode) error {
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(target, mode) // the umask may have taken bits
}
