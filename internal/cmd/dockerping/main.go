// Command dockerping exits 0 when a Docker daemon answers at the address
// given (or DOCKER_HOST, or the default socket). scripts/demo.sh uses it to
// decide whether to start a private daemon.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dockerclient/docker"
)

func main() {
	var opts []docker.Option
	if len(os.Args) > 1 {
		opts = append(opts, docker.WithHost(os.Args[1]))
	} else {
		opts = append(opts, docker.FromEnv())
	}
	c, err := docker.New(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := c.Ping(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
