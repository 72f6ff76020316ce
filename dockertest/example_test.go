package dockertest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dockertest"
	"github.com/dockerclient/docker/v147"
)

// In a test, dockertest.Start(t, "1.47") starts the server, fails t on a
// request the spec does not allow and stops the server in t.Cleanup.
// Outside one (here, to print), NewServer and ReportTo do the same.
func Example() {
	d, _ := dockertest.NewServer("1.47", dockertest.ReportTo(func(msg string) { fmt.Println(msg) }))
	defer d.Close()
	d.Answer("ContainerList", dockertest.Answer{Body: []map[string]any{
		{"Id": "4f1c", "Names": []string{"/web"}, "Image": "nginx", "State": "running"},
	}})

	// The code under test, given d.Host() as its DOCKER_HOST.
	c, _ := docker.New(docker.WithHost(d.Host()))
	defer c.Close()
	list, err := v147.New(c).ContainerList(context.Background(), v147.ContainerListOptions{All: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ctr := range list {
		fmt.Println(ctr.ID, ctr.Names, ctr.State)
	}
	for _, call := range d.Calls() {
		fmt.Println(call.Op, call.Query.Encode())
	}
	// Output:
	// 4f1c [/web] running
	// ContainerList all=true
}

// A request the spec does not allow fails the test with what was wrong and
// what the spec allows, and gets the daemon's 400.
func Example_badRequest() {
	d, _ := dockertest.NewServer("1.47", dockertest.ReportTo(func(msg string) { fmt.Println(msg) }))
	defer d.Close()
	resp, err := http.Get("http://" + strings.TrimPrefix(d.Host(), "tcp://") + "/v1.47/containers/json?state=running")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	http.DefaultClient.CloseIdleConnections()
	// Output:
	// dockertest: API v1.47: ContainerList: unknown query parameter "state" (the operation declares all, filters, limit, size)
	// 400 Bad Request
}

// Streams are scripted frame by frame: container output, or JSON messages
// with the in-band error a pull ends with when the registry refuses.
func ExampleServer_Answer_stream() {
	d, _ := dockertest.NewServer("1.47", dockertest.ReportTo(func(msg string) { fmt.Println(msg) }))
	defer d.Close()
	d.Answer("ImageCreate", dockertest.Answer{Frames: []dockertest.Frame{
		dockertest.Message(map[string]any{"status": "Pulling from library/app", "id": "v2"}),
		dockertest.ProgressError("manifest for app:v2 not found"),
	}})

	c, _ := docker.New(docker.WithHost(d.Host()))
	defer c.Close()
	s, err := v147.New(c).ImageCreate(context.Background(), v147.ImageCreateOptions{FromImage: "app", Tag: "v2"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	for msg, err := range s.All() {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(msg.Status)
	}
	// Output:
	// Pulling from library/app
	// error: docker: ImageCreate: manifest for app:v2 not found
}

// Faults make the daemon misbehave: here the first call fails with a 500,
// as a daemon under load does, and the code under test retries.
func ExampleServer_Fault() {
	d, _ := dockertest.NewServer("1.47")
	defer d.Close()
	d.Fault("ContainerInspect", dockertest.Fault{Status: 500, Message: "context deadline exceeded", Times: 1})

	c, _ := docker.New(docker.WithHost(d.Host()))
	defer c.Close()
	api := v147.New(c)
	for attempt := 1; attempt <= 2; attempt++ {
		_, err := api.ContainerInspect(context.Background(), "web", v147.ContainerInspectOptions{})
		fmt.Println(attempt, err == nil, docker.IsServerError(err))
	}
	// Output:
	// 1 false true
	// 2 true false
}
