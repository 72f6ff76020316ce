// Command swarm-service runs a one-replica service on a single-node swarm,
// waits for its task, prints the service's logs and removes it. With -init
// it first makes this daemon a swarm manager (and leaves again at the end).
//
//	go run ./examples/swarm-service -init -image busybox:latest
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

func main() {
	initSwarm := flag.Bool("init", false, "init a single-node swarm on 127.0.0.1 first, and leave it at the end")
	image := flag.String("image", "busybox:latest", "image the service runs")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, *initSwarm, *image); err != nil {
		fmt.Fprintln(os.Stderr, "swarm-service:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, initSwarm bool, image string) error {
	c, err := docker.NewFromEnv()
	if err != nil {
		return err
	}
	defer c.Close()
	api := v141.New(c)

	if initSwarm {
		node, err := api.SwarmInit(ctx, v141.SwarmInitOptions{Body: v141.SwarmInitRequest{
			ListenAddr:    "127.0.0.1:2377",
			AdvertiseAddr: "127.0.0.1",
		}})
		if err != nil {
			return err
		}
		fmt.Println("swarm initialised; node", node)
		defer api.SwarmLeave(context.WithoutCancel(ctx), v141.SwarmLeaveOptions{Force: true})
	}

	created, err := api.ServiceCreate(ctx, v141.ServiceCreateOptions{Body: v141.ServiceCreateRequest{
		Name: fmt.Sprintf("example-%d", time.Now().Unix()),
		TaskTemplate: v141.TaskSpec{ContainerSpec: v141.TaskSpecContainerSpec{
			Image:   image,
			Command: []string{"sh", "-c", "echo hello from a swarm task; sleep 300"},
		}},
		Mode: v141.ServiceSpecMode{Replicated: v141.ServiceSpecModeReplicated{Replicas: docker.Ptr(int64(1))}},
	}})
	if err != nil {
		if docker.IsNotAvailable(err) {
			return fmt.Errorf("%w (run with -init to make this daemon a swarm manager)", err)
		}
		return err
	}
	fmt.Println("service", created.ID)
	defer api.ServiceDelete(context.WithoutCancel(ctx), created.ID)

	if err := waitRunning(ctx, api, created.ID); err != nil {
		return err
	}
	logs, err := api.ServiceLogs(ctx, created.ID, v141.ServiceLogsOptions{Stdout: true, Stderr: true})
	if err != nil {
		return err
	}
	defer logs.Close()
	return logs.Demux(os.Stdout, os.Stderr)
}

// waitRunning polls the service's tasks until one runs.
func waitRunning(ctx context.Context, api *v141.Client, serviceID string) error {
	for {
		tasks, err := api.TaskList(ctx, v141.TaskListOptions{Filters: docker.Filters{"service": {serviceID}}})
		if err != nil {
			return err
		}
		for _, task := range tasks {
			switch task.Status.State {
			case v141.TaskStateRunning:
				fmt.Println("task", task.ID, "running")
				return nil
			case v141.TaskStateFailed, v141.TaskStateRejected:
				return errors.New("task " + string(task.Status.State) + ": " + task.Status.Err)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
