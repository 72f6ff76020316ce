//go:build !unix

package dialer

import "os/exec"

// setSysProcAttr leaves the command's process attributes alone where there
// are no unix sessions.
func setSysProcAttr(cmd *exec.Cmd) {}
