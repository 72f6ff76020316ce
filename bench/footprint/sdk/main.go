// Command sdk is the footprint program for the SDK: ping, then list all
// containers, through the root package and one version package (v141).
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
	c, err := docker.NewFromEnv()
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
