//go:build unix

package dialer

import (
	"io/fs"
	"os"
	"syscall"
)

// setSysProcAttr starts the command in its own session, as the docker CLI
// does for ssh: a terminal's Ctrl-C then reaches only the program, which
// closes its connections itself, and ssh cannot stop the program by waiting
// on a terminal prompt (it fails instead; use keys or ssh-agent).
func setSysProcAttr(attr *os.ProcAttr) {
	attr.Sys = &syscall.SysProcAttr{Setsid: true}
}

func executableNames(path string) []string { return []string{path} }

func isExecutable(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o111 != 0 }
