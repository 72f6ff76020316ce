// Package task holds the sequences every user of the Docker API writes by
// hand, without their classic bugs:
//
//   - Run pulls an image when it is missing, creates a container, attaches
//     to its output and registers the wait for its exit before starting it
//     (so a container that exits at once loses neither its first lines nor
//     its exit code), streams stdout and stderr apart (a TTY's output raw),
//     waits and removes it. A non-zero exit is an *ExitError holding the
//     end of stderr. Start does the same for a container left running and
//     returns a *Container handle.
//   - Exec runs a command in a running container and returns its exit code
//     only once its output has been read to the end.
//   - CopyTo and CopyFrom move a file or a directory tree into and out of a
//     container as a tar stream, keeping modes, ownership and symbolic
//     links; CopyFrom refuses archive entries that would land outside the
//     destination. Stat describes a path in a container.
//   - WaitUntil waits for a container to be ready (WaitForLog,
//     WaitForHealthy, WaitForExec, WaitForExit); an error on timeout says
//     what was last seen.
//
// Every function takes a *docker.Client and calls the API by operationId
// (docker.Client.CallVersion), so a program using this package links no
// version package. The API version is the one the client negotiates, or
// the one it was pinned to with docker.WithAPIVersion; Config.APIVersion
// and ExecConfig.APIVersion pin one call. Where the operations differ
// between versions (archives before API 1.28, wait conditions before 1.30)
// the functions use what the version has.
package task
