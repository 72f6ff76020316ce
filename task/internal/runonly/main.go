// Command runonly runs a command in a container with task.Run and nothing
// else: task's link test builds it to show that the task layer links no
// version package.
//
//	go run ./task/internal/runonly IMAGE CMD [ARG...]
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/task"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: runonly IMAGE CMD [ARG...]")
		os.Exit(2)
	}
	c, err := docker.NewFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(125)
	}
	defer c.Close()
	_, err = task.Run(context.Background(), c, task.Config{
		Image: os.Args[1], Cmd: os.Args[2:], NetworkMode: "none", Stdout: os.Stdout, Stderr: os.Stderr,
	})
	var exit *task.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.Code)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(125)
	}
}
