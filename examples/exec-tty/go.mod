// This example needs a terminal package (golang.org/x/term), which must not
// enter the SDK's module: it has a module of its own.
module github.com/dockerclient/docker/examples/exec-tty

go 1.26.0

require (
	github.com/dockerclient/docker v0.0.0
	golang.org/x/term v0.48.0
)

require golang.org/x/sys v0.50.0 // indirect

replace github.com/dockerclient/docker => ../../
