// Command seedimage makes sure the daemon named by DOCKER_HOST has a
// busybox:latest image, importing one built from the local static busybox
// (Debian's busybox-static) when it has none. Machines here reach no public
// registry, so `make demo` seeds the image this way.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/testdaemon"
)

const image = "busybox:latest"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "seedimage:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := docker.NewFromEnv()
	if err != nil {
		return err
	}
	defer c.Close()
	// Dynamic calls work with whatever version the daemon speaks.
	err = c.Call(ctx, "ImageInspect", docker.Args{"name": image}, nil)
	if err == nil {
		return nil
	}
	if !docker.IsNotFound(err) {
		return err
	}
	rootfs, err := testdaemon.BusyboxRootfs()
	if err != nil {
		return fmt.Errorf("building a busybox rootfs: %w", err)
	}
	var progress *docker.JSONStream[docker.JSONMessage]
	err = c.Call(ctx, "ImageCreate", docker.Args{
		"fromSrc":    "-",
		"repo":       "busybox",
		"tag":        "latest",
		"inputImage": bytes.NewReader(rootfs),
	}, &progress)
	if err != nil {
		return err
	}
	// An import that fails says so inside the 200 response; Wait returns it.
	if err := progress.Wait(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seedimage: imported %s from /bin/busybox\n", image)
	return nil
}
