package buildcontext_test

import (
	"archive/tar"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockerclient/docker/buildcontext"
)

func ExampleDir() {
	dir, err := os.MkdirTemp("", "context")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for name, content := range map[string]string{
		"Dockerfile":     "FROM scratch\nCOPY . /\n",
		".dockerignore":  "*.md\n!README.md\nbuild\n!build/app\n",
		"README.md":      "read me",
		"NOTES.md":       "not sent",
		"build/app":      "sent",
		"build/cache.o":  "not sent",
		"src/main.go":    "package main",
		"src/helpers.md": `not matched: "*.md" is anchored at the root`,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}

	tarball, err := buildcontext.Dir(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer tarball.Close()
	// Here tarball would be the body of an image build; list it instead.
	tr := tar.NewReader(tarball)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(hdr.Name)
	}
	// Output:
	// .dockerignore
	// Dockerfile
	// README.md
	// build/app
	// src/
	// src/helpers.md
	// src/main.go
}

func ExampleMatcher() {
	patterns, err := buildcontext.ReadIgnore(strings.NewReader(`
# dependencies
node_modules
**/*.log
!keep.log
`))
	if err != nil {
		log.Fatal(err)
	}
	m, err := buildcontext.NewMatcher(patterns)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range []string{"node_modules/x/index.js", "logs/today.log", "keep.log", "src/app.js"} {
		fmt.Printf("%-24s left out: %v\n", p, m.Match(p))
	}
	// Output:
	// node_modules/x/index.js  left out: true
	// logs/today.log           left out: true
	// keep.log                 left out: false
	// src/app.js               left out: false
}
