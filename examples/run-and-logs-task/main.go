// Command run-and-logs-task is examples/run-and-logs written with package
// task: task.Run pulls the image if it is missing, creates the container,
// registers the wait before starting it (so a fast container cannot exit
// unseen), streams stdout and stderr apart, waits and removes it, like
// `docker run --rm IMAGE CMD...`. It speaks the version the client
// negotiates and links no version package.
//
//	go run ./examples/run-and-logs-task busybox:latest sh -c 'echo out; echo err >&2; exit 3'
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/task"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: run-and-logs-task IMAGE CMD [ARG...]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1], os.Args[2:]))
}

func run(ctx context.Context, image string, cmd []string) int {
	c, err := docker.NewFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "run-and-logs-task:", err)
		return 125
	}
	defer c.Close()
	_, err = task.Run(ctx, c, task.Config{
		Image:       image,
		Cmd:         cmd,
		NetworkMode: "none",
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
	})
	// A non-zero exit is an *task.ExitError carrying the code (and the tail
	// of stderr, already printed here).
	var exit *task.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.Code
	case err != nil:
		fmt.Fprintln(os.Stderr, "run-and-logs-task:", err)
		return 125
	}
	return 0
}
