// Command quickstart-task is examples/quickstart with package task: connect
// as the docker CLI would, negotiate, run a busybox container with its
// output streamed and its exit awaited, run a command in a second,
// detached one, and remove both. It needs no version package: task uses the
// version the client negotiates.
//
//	go run ./examples/quickstart-task      # DOCKER_HOST or the default socket
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/task"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart-task:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	c, err := docker.NewFromEnv()
	if err != nil {
		return err
	}
	defer c.Close()
	v, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("daemon at %s, API %s\n", c.Host(), v)

	// Run: create, start, stream, wait, remove; the image is pulled only
	// when missing (busybox:latest; `make demo` imports one).
	var out bytes.Buffer
	if _, err := task.Run(ctx, c, task.Config{
		Image:       "busybox:latest",
		Cmd:         []string{"sh", "-c", "for i in 1 2 3; do echo hello from busybox $i; done"},
		NetworkMode: "none",
		Stdout:      &out,
		Stderr:      os.Stderr,
	}); err != nil {
		return err
	}
	fmt.Print(out.String())

	// Start leaves it running; Exec returns the exit code once the output
	// is drained.
	ct, err := task.Start(ctx, c, task.Config{
		Image: "busybox:latest", Cmd: []string{"sleep", "60"}, NetworkMode: "none",
	})
	if err != nil {
		return err
	}
	defer ct.Remove(context.WithoutCancel(ctx))
	var said strings.Builder
	code, err := task.Exec(ctx, c, ct.ID, task.ExecConfig{Cmd: []string{"sh", "-c", "echo $((6 * 7))"}, Stdout: &said})
	if err != nil {
		return err
	}
	fmt.Printf("exec in %.12s: %q, exit code %d\n", ct.ID, strings.TrimSpace(said.String()), code)
	return nil
}
