package buildkit_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/buildkit"
	"github.com/dockerclient/docker/task"
)

// A build whose RUN step reads a secret that never enters the image: the
// image keeps only what the step made of it.
func ExampleBuild() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// A context of one Dockerfile (buildcontext.Dir makes one from a
	// directory). The examples' daemon has busybox under this name.
	dockerfile := `FROM dockersdk-buildkit/busybox:latest
RUN --mount=type=secret,id=greeting cat /run/secrets/greeting | tr a-z A-Z > /shout
`
	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))})
	tw.Write([]byte(dockerfile))
	tw.Close()

	id, err := buildkit.Build(ctx, c, buildkit.Config{
		Context:     &ctxTar,
		Tags:        []string{"dockersdk-buildkit/test:example"},
		Secrets:     []buildkit.Secret{{ID: "greeting", Data: []byte("hello from a secret")}},
		NetworkMode: "none", // RUN steps reach no network
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("built an image:", strings.HasPrefix(id, "sha256:"))

	var out bytes.Buffer
	_, err = task.Run(ctx, c, task.Config{
		Image: id, Cmd: []string{"cat", "/shout"}, NetworkMode: "none", Stdout: &out,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(out.String())
	// Output:
	// built an image: true
	// HELLO FROM A SECRET
}

// A Printer shows the progress as docker buildx does: plain lines here,
// a redrawn display on a terminal.
func ExampleNewPrinter() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	dockerfile := "FROM dockersdk-buildkit/busybox:latest\nRUN exit 3\n"
	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))})
	tw.Write([]byte(dockerfile))
	tw.Close()

	var progress bytes.Buffer // os.Stderr, in a program
	p := buildkit.NewPrinter(&progress, nil)
	_, err = buildkit.Build(ctx, c, buildkit.Config{Context: &ctxTar, NetworkMode: "none", Progress: p.Update})
	p.Done()
	var be *buildkit.BuildError
	if errors.As(err, &be) {
		fmt.Printf("step %q exited with %d\n", be.Step, be.ExitCode)
	}
	fmt.Println("the progress named it:", strings.Contains(progress.String(), "RUN exit 3"))
	// Output:
	// step "[2/2] RUN exit 3" exited with 3
	// the progress named it: true
}
