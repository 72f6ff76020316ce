// Command sdkhost is footprint/sdk with docker.New(docker.WithHost(DOCKER_HOST))
// in place of docker.NewFromEnv: no Docker contexts, no TLS client
// certificates from DOCKER_CERT_PATH. It is not one of the compared programs;
// its size shows what NewFromEnv adds (docs/benchmarks.md).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

func main() {
	ctx := context.Background()
	c, err := docker.New(docker.WithHost(os.Getenv("DOCKER_HOST")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	api := v141.New(c)
	if _, err := api.SystemPing(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	list, err := api.ContainerList(ctx, v141.ContainerListOptions{All: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, ctr := range list {
		fmt.Println(ctr.ID, ctr.Image, ctr.State)
	}
}
