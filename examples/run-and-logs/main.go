// Command run-and-logs runs a command in a new container and follows its
// output, like `docker run --rm IMAGE CMD...`, keeping stdout and stderr
// apart, and exits with the container's status, on the raw operations of
// package v141. examples/run-and-logs-task does the same with task.Run.
//
//	go run ./examples/run-and-logs busybox:latest sh -c 'echo out; echo err >&2; exit 3'
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: run-and-logs IMAGE CMD [ARG...]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code, err := run(ctx, os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "run-and-logs:", err)
		os.Exit(125)
	}
	os.Exit(code)
}

func run(ctx context.Context, image string, cmd []string) (int, error) {
	c, err := docker.NewFromEnv()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	api := v141.New(c)

	created, err := api.ContainerCreate(ctx, v141.ContainerCreateOptions{
		Body: v141.ContainerCreateRequest{
			Image:      image,
			Cmd:        cmd,
			HostConfig: v141.HostConfig{NetworkMode: "none"},
		},
	})
	if err != nil {
		return 0, err
	}
	defer api.ContainerDelete(context.WithoutCancel(ctx), created.ID, v141.ContainerDeleteOptions{Force: true})

	if err := api.ContainerStart(ctx, created.ID, v141.ContainerStartOptions{}); err != nil {
		return 0, err
	}
	logs, err := api.ContainerLogs(ctx, created.ID, v141.ContainerLogsOptions{Follow: true, Stdout: true, Stderr: true})
	if err != nil {
		return 0, err
	}
	defer logs.Close()
	if err := logs.Demux(os.Stdout, os.Stderr); err != nil {
		return 0, err
	}
	// The logs end when the container does. Only this program removes it,
	// so waiting for "not running" now cannot miss its exit. (With
	// AutoRemove it could: the wait must then be registered before the
	// start, which package task's Run does; see examples/run-and-logs-task.)
	w, err := api.ContainerWait(ctx, created.ID, v141.ContainerWaitOptions{Condition: "not-running"})
	if err != nil {
		return 0, err
	}
	return int(w.StatusCode), nil
}
