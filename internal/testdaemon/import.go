package testdaemon

import (
	"bytes"
	"context"
	"time"

	"github.com/dockerclient/docker"
)

// ImportBusybox imports BusyboxRootfs into the daemon at host as repo:latest,
// through the SDK's dynamic ImageCreate at the version the client
// negotiates, which every daemon serves (a pinned old version would not:
// Docker 29 refuses 1.25 unless told otherwise).
func ImportBusybox(host, repo string) error {
	rootfs, err := BusyboxRootfs()
	if err != nil {
		return err
	}
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var progress *docker.JSONStream[docker.JSONMessage]
	err = c.Call(ctx, "ImageCreate", docker.Args{
		"fromSrc": "-", "repo": repo, "tag": "latest", "inputImage": bytes.NewReader(rootfs),
	}, &progress)
	if err != nil {
		return err
	}
	return progress.Wait()
}
