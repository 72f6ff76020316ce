//go:build !unix

package dialer

import (
	"io/fs"
	"os"
	"strings"
)

// setSysProcAttr leaves the command's process attributes alone where there
// are no unix sessions.
func setSysProcAttr(attr *os.ProcAttr) {}

// executableNames tries the name as given and with the extensions Windows
// runs (PATHEXT), so that "ssh" finds ssh.exe.
func executableNames(path string) []string {
	names := []string{path}
	exts := os.Getenv("PATHEXT")
	if exts == "" {
		exts = ".com;.exe;.bat;.cmd"
	}
	for _, ext := range strings.Split(strings.ToLower(exts), ";") {
		if ext != "" {
			names = append(names, path+ext)
		}
	}
	return names
}

func isExecutable(fs.FileInfo) bool { return true }
