package task_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/leakcheck"
	"github.com/dockerclient/docker/internal/testdaemon"
)

// The image the tests and examples run, imported from
// testdaemon.BusyboxRootfs under a tag of this package's own, and the label
// on every container they create.
const (
	busyboxRepo = "dockersdk-task/busybox"
	busybox     = busyboxRepo + ":latest"
	testLabel   = "dockersdk-task.test"
)

// TestMain points the examples (which connect with docker.NewFromEnv, as a
// user's program would) at the test daemon and imports the image, or skips
// them with the reason when there is no daemon; then it fails the binary
// when goroutines outlive the tests, and removes what the tests left.
func TestMain(m *testing.M) {
	flag.Parse()
	host, err := testdaemon.Start()
	if err != nil {
		if os.Getenv(testdaemon.EnvRequire) == "1" {
			fmt.Fprintf(os.Stderr, "no test daemon, and %s=1 requires one: %v\n", testdaemon.EnvRequire, err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "skipping the examples, which run against a daemon: %v\n", err)
		flag.Set("test.skip", "^Example")
		os.Exit(leakcheck.Main(m))
	}
	os.Setenv("DOCKER_HOST", host)
	os.Unsetenv("DOCKER_CONTEXT")
	os.Unsetenv("DOCKER_TLS_VERIFY")
	os.Unsetenv("DOCKER_API_VERSION")
	if err := testdaemon.ImportBusybox(host, busyboxRepo); err != nil {
		fmt.Fprintf(os.Stderr, "importing %s: %v\n", busybox, err)
		os.Exit(1)
	}
	code := leakcheck.Main(m)
	cleanUp(host)
	os.Exit(code)
}

// cleanUp removes the containers the tests labelled and the image.
func cleanUp(host string) {
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var list []struct {
		ID string `json:"Id"`
	}
	err = c.Call(ctx, "ContainerList", docker.Args{"all": true, "filters": docker.Filters{"label": {testLabel}}}, &list)
	if err != nil {
		fmt.Fprintf(os.Stderr, "task: listing test containers: %v\n", err)
	}
	for _, ct := range list {
		if err := c.Call(ctx, "ContainerDelete", docker.Args{"id": ct.ID, "force": true, "v": true}, nil); err != nil && !docker.IsNotFound(err) {
			fmt.Fprintf(os.Stderr, "task: removing container %s: %v\n", ct.ID, err)
		}
	}
	if err := c.Call(ctx, "ImageDelete", docker.Args{"name": busybox, "force": true}, nil); err != nil && !docker.IsNotFound(err) {
		fmt.Fprintf(os.Stderr, "task: removing %s: %v\n", busybox, err)
	}
}

// newClient connects to the test daemon (skipping the test without one)
// and tells whether it is Podman.
func newClient(t *testing.T, opts ...docker.Option) (c *docker.Client, podman bool) {
	t.Helper()
	c, d := testdaemon.Connect(t, opts...)
	return c, d.Podman
}

// testContext bounds a test's calls.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// labels marks a test's containers for cleanUp.
func labels(t *testing.T) map[string]string {
	return map[string]string{testLabel: t.Name()}
}
