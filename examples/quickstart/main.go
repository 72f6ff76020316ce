// Command quickstart is the README's first example: connect as the docker
// CLI would, negotiate an API version, list containers and images with
// typed fields, run a busybox container, stream its logs, and remove it.
//
//	go run ./examples/quickstart           # DOCKER_HOST or the default socket
//	make demo                              # starts a private daemon if none answers
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		var ce *docker.ConnectError
		if errors.As(err, &ce) {
			fmt.Fprintln(os.Stderr, "set DOCKER_HOST to your daemon's address, or run `make demo` to start a private one")
		}
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	// DOCKER_HOST, DOCKER_CONTEXT and the TLS variables, as the CLI reads
	// them; unix:///var/run/docker.sock when none is set.
	c, err := docker.NewFromEnv()
	if err != nil {
		return err
	}
	defer c.Close()

	daemon, err := c.DaemonVersions(ctx)
	if err != nil {
		return err
	}
	chosen, err := c.Negotiate(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("daemon at %s speaks API %s; this SDK speaks %s to %s; the newest both speak is %s (package %s)\n",
		c.Host(), daemon, docker.MinAPIVersion, docker.MaxAPIVersion, chosen, "v1"+strings.TrimPrefix(chosen, "1."))

	// The typed calls below are written against API v1.41, which every
	// daemon from Docker 20.10 on serves except Docker 29.0 to 29.2 (their
	// floor is 1.44). A daemon that cannot serve it fails at the first call
	// with its range; change the import to a version it speaks.
	fmt.Println("the typed calls below use package v141 (API 1.41)")
	api := v141.New(c)

	containers, err := api.ContainerList(ctx, v141.ContainerListOptions{All: true})
	if err != nil {
		return err
	}
	fmt.Printf("%d containers\n", len(containers))
	for _, ctr := range containers {
		fmt.Printf("  %.12s  %-20s %s\n", ctr.ID, ctr.Image, ctr.State)
	}
	images, err := api.ImageList(ctx, v141.ImageListOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("%d images\n", len(images))
	for _, img := range images {
		fmt.Printf("  %.19s  %v  %d bytes\n", img.ID, img.RepoTags, img.Size)
	}

	created, err := api.ContainerCreate(ctx, v141.ContainerCreateOptions{
		Name: fmt.Sprintf("quickstart-%d", time.Now().UnixNano()),
		Body: v141.ContainerCreateRequest{
			Image: "busybox:latest",
			Cmd:   []string{"sh", "-c", "for i in 1 2 3; do echo hello from busybox $i; done; echo to stderr >&2"},
			HostConfig: v141.HostConfig{
				NetworkMode: "none", // no network needed; nothing leaves the machine
			},
		},
	})
	if err != nil {
		if docker.IsNotFound(err) {
			return fmt.Errorf("%w (the quickstart needs the image busybox:latest; `make demo` imports one)", err)
		}
		return err
	}
	id := created.ID
	fmt.Printf("created container %.12s\n", id)
	// Remove it whatever happens next, with a context of its own so that
	// cleanup runs even after ctx has expired.
	defer func() {
		rmCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := api.ContainerDelete(rmCtx, id, v141.ContainerDeleteOptions{Force: true}); err != nil {
			fmt.Fprintln(os.Stderr, "quickstart: removing the container:", err)
			return
		}
		fmt.Printf("removed container %.12s\n", id)
	}()

	if err := api.ContainerStart(ctx, id, v141.ContainerStartOptions{}); err != nil {
		return err
	}
	logs, err := api.ContainerLogs(ctx, id, v141.ContainerLogsOptions{Follow: true, Stdout: true, Stderr: true})
	if err != nil {
		return err
	}
	defer logs.Close()
	// Demux splits stdout from stderr (or copies a TTY stream as it is).
	if err := logs.Demux(prefixed("stdout"), prefixed("stderr")); err != nil {
		return err
	}
	wait, err := api.ContainerWait(ctx, id, v141.ContainerWaitOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("container exited with status %d\n", wait.StatusCode)
	return nil
}

// prefixed writes each chunk of a stream with the stream's name.
type prefixed string

func (p prefixed) Write(b []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			fmt.Printf("  %s | %s", p, line)
		}
	}
	return len(b), nil
}
