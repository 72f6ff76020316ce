//go:build unix

package dialer

import (
	"os/exec"
	"syscall"
)

// setSysProcAttr starts the command in its own session, as the docker CLI
// does for ssh: a terminal's Ctrl-C then reaches only the program, which
// closes its connections itself, and ssh cannot stop the program by waiting
// on a terminal prompt (it fails instead; use keys or ssh-agent).
func setSysProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
