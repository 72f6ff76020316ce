// Command gen regenerates the SDK from the specs: every version package
// (v125 to the newest spec in specs/), the operation table that dynamic
// calls use, the version range, the generated docs, and the version numbers
// quoted between markers in the README and the guide. `go generate ./...` runs it from the repository root.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dockerclient/docker/gen"
)

func main() {
	root := flag.String("root", ".", "repository root")
	check := flag.Bool("check", false, "report files that would change instead of writing them")
	flag.Parse()
	start := time.Now()
	m, err := gen.Load(filepath.Join(*root, "specs"))
	if err != nil {
		fail(err)
	}
	files, err := m.RenderAll()
	if err != nil {
		fail(err)
	}
	for _, name := range gen.MarkedDocs {
		src, err := os.ReadFile(filepath.Join(*root, name))
		if err != nil {
			fail(err)
		}
		out, err := m.FillMarkers(name, src)
		if err != nil {
			fail(err)
		}
		files = append(files, gen.File{Path: name, Content: out})
	}
	changed, err := sync(*root, files, *check)
	if err != nil {
		fail(err)
	}
	if *check && len(changed) > 0 {
		fmt.Fprintf(os.Stderr, "gen: %d generated files are out of date (run `go generate ./...`):\n  %s\n",
			len(changed), strings.Join(changed, "\n  "))
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: %d versions, %d files (%d changed) in %s\n",
		len(m.Pkgs), len(files), len(changed), time.Since(start).Round(time.Millisecond))
}

// sync writes files that differ and removes generated files that are no
// longer produced, in the folders gen owns.
func sync(root string, files []gen.File, check bool) ([]string, error) {
	want := map[string][]byte{}
	dirs := map[string]bool{}
	for _, f := range files {
		want[f.Path] = f.Content
		dirs[filepath.Dir(f.Path)] = true
	}
	var changed []string
	for _, f := range files {
		p := filepath.Join(root, f.Path)
		old, err := os.ReadFile(p)
		if err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		changed = append(changed, f.Path)
		if check {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return nil, err
		}
	}
	for dir := range dirs {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			continue
		}
		for _, e := range entries {
			rel := filepath.Join(dir, e.Name())
			if !gen.IsGenerated(e.Name()) {
				continue
			}
			if _, ok := want[filepath.ToSlash(rel)]; ok {
				continue
			}
			changed = append(changed, rel+" (stale)")
			if !check {
				if err := os.Remove(filepath.Join(root, rel)); err != nil {
					return nil, err
				}
			}
		}
	}
	return changed, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
