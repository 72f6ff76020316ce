package docker_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v125"
	"github.com/dockerclient/docker/v141"
	"github.com/dockerclient/docker/v142"
)

// exampleImage makes sure the daemon has busybox:latest, imported from the
// local static busybox (these machines reach no public registry).
func exampleImage(ctx context.Context, api *v141.Client) {
	if _, err := api.ImageInspect(ctx, "busybox:latest", v141.ImageInspectOptions{}); err == nil {
		return
	}
	rootfs, err := testdaemon.BusyboxRootfs()
	if err != nil {
		log.Fatal(err)
	}
	s, err := api.ImageCreate(ctx, v141.ImageCreateOptions{FromSrc: "-", Repo: "busybox", Tag: "latest", Body: bytes.NewReader(rootfs)})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Wait(); err != nil {
		log.Fatal(err)
	}
}

// runContainer creates and starts a busybox container without a network;
// the caller removes it.
func runContainer(ctx context.Context, api *v141.Client, body v141.ContainerCreateRequest) string {
	body.Image = "busybox:latest"
	body.HostConfig.NetworkMode = "none"
	created, err := api.ContainerCreate(ctx, v141.ContainerCreateOptions{Body: body})
	if err != nil {
		log.Fatal(err)
	}
	if err := api.ContainerStart(ctx, created.ID, v141.ContainerStartOptions{}); err != nil {
		log.Fatal(err)
	}
	return created.ID
}

// Pinned use: import the package of the API version you target.
func Example() {
	ctx := context.Background()
	c, err := docker.NewFromEnv() // DOCKER_HOST, DOCKER_CONTEXT, ...; else the default socket
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	api := v141.New(c) // checked against the daemon once, before the first call
	exampleImage(ctx, api)

	id := runContainer(ctx, api, v141.ContainerCreateRequest{Cmd: []string{"echo", "hello from busybox"}})
	defer api.ContainerDelete(ctx, id, v141.ContainerDeleteOptions{Force: true})
	wait, err := api.ContainerWait(ctx, id, v141.ContainerWaitOptions{})
	if err != nil {
		log.Fatal(err)
	}
	logs, err := api.ContainerLogs(ctx, id, v141.ContainerLogsOptions{Stdout: true})
	if err != nil {
		log.Fatal(err)
	}
	defer logs.Close()
	var out strings.Builder
	if err := logs.Demux(&out, io.Discard); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("exit %d: %s", wait.StatusCode, out.String())
	// Output: exit 0: hello from busybox
}

// Negotiation picks the newest version both sides speak; a version package
// the daemon cannot serve fails before anything is sent, naming its range.
func ExampleClient_Negotiate() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	v, err := c.Negotiate(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("negotiated", v) // against dockerd 20.10

	_, err = v142.New(c).SystemInfo(ctx)
	var ve *docker.VersionError
	fmt.Println(errors.As(err, &ve), ve.Daemon)
	// Output:
	// negotiated 1.41
	// true 1.12 to 1.41
}

// A dynamic call by operationId, with arguments named as in Docker's API
// reference and checked against the negotiated version's spec.
func ExampleClient_Call() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var images []map[string]any
	err = c.Call(ctx, "ImageList", docker.Args{"filters": docker.Filters{"reference": {"busybox:latest"}}}, &images)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(images), "busybox image")

	err = c.Call(ctx, "ContainerList", docker.Args{"all": "yes"}, nil)
	fmt.Println(err)
	err = c.Call(ctx, "VolumeUpdate", docker.Args{"name": "data"}, nil)
	var ve *docker.VersionError
	if errors.As(err, &ve) {
		fmt.Printf("%s needs %s; the call was to use %s, the daemon speaks %s\n", ve.Op, ve.OpVersions.Min, ve.Want, ve.Daemon)
	}
	// Output:
	// 1 busybox image
	// docker: ContainerList: parameter "all" must be a bool, not string
	// VolumeUpdate needs 1.42; the call was to use 1.41, the daemon speaks 1.12 to 1.41
}

// Every status outside 2xx is a *docker.Error; its class is matched with
// errors.Is or the IsNotFound family.
func ExampleError() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_, err = v125.New(c).ContainerInspect(ctx, "no-such-container", v125.ContainerInspectOptions{})
	fmt.Println(docker.IsNotFound(err), errors.Is(err, docker.ErrNotFound))
	var de *docker.Error
	if errors.As(err, &de) {
		fmt.Println(de.StatusCode, de.Op, de.APIVersion)
	}
	fmt.Println(err)
	// Output:
	// true true
	// 404 ContainerInspect 1.25
	// docker: ContainerInspect (API 1.25): 404 Not Found: No such container: no-such-container
}

// Container output: without a TTY, stdout and stderr arrive multiplexed and
// Demux splits them; with a TTY the stream is raw and Demux copies it.
func ExampleOutput_Demux() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	api := v141.New(c)
	exampleImage(ctx, api)
	for _, tty := range []bool{false, true} {
		id := runContainer(ctx, api, v141.ContainerCreateRequest{TTY: tty, Cmd: []string{"sh", "-c", "echo out; echo err >&2"}})
		api.ContainerWait(ctx, id, v141.ContainerWaitOptions{})
		logs, err := api.ContainerLogs(ctx, id, v141.ContainerLogsOptions{Stdout: true, Stderr: true})
		if err != nil {
			log.Fatal(err)
		}
		var stdout, stderr strings.Builder
		if err := logs.Demux(&stdout, &stderr); err != nil {
			log.Fatal(err)
		}
		logs.Close()
		api.ContainerDelete(ctx, id, v141.ContainerDeleteOptions{Force: true})
		fmt.Printf("tty=%v stdout=%q stderr=%q\n", tty, stdout.String(), stderr.String())
	}
	// Output:
	// tty=false stdout="out\n" stderr="err\n"
	// tty=true stdout="out\r\nerr\r\n" stderr=""
}

// Attach to a process's stdin: write, half-close, and read what it made of
// it while it exits.
func ExampleHijackedConn() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	api := v141.New(c)
	exampleImage(ctx, api)
	id := runContainer(ctx, api, v141.ContainerCreateRequest{OpenStdin: true, StdinOnce: true, AttachStdin: true, Cmd: []string{"wc", "-l"}})
	defer api.ContainerDelete(ctx, id, v141.ContainerDeleteOptions{Force: true})

	conn, err := api.ContainerAttach(ctx, id, v141.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "one\ntwo\nthree\n")
	conn.CloseWrite() // EOF on the process's stdin; its output still flows
	var out strings.Builder
	if err := conn.Output().Demux(&out, io.Discard); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.TrimSpace(out.String()), "lines")
	// Output: 3 lines
}

// Progress streams (pull, push, import, build, load) are typed; an error the
// daemon reports inside the stream ends it with a *docker.StreamError.
func ExampleJSONStream() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	api := v141.New(c)
	exampleImage(ctx, api)

	// A build from a tar context whose second step fails.
	var context bytes.Buffer
	writeTar(&context, "Dockerfile", "FROM busybox:latest\nRUN exit 7\n")
	build, err := api.ImageBuild(ctx, v141.ImageBuildOptions{Body: &context, Remove: docker.Ptr(true), ForceRemove: true})
	if err != nil {
		log.Fatal(err)
	}
	for msg, err := range build.All() {
		if err != nil {
			var se *docker.StreamError
			fmt.Println(errors.As(err, &se), se.Code)
			break
		}
		_ = msg.Stream // "Step 1/2 : FROM busybox:latest", ...
	}
	// Output: true 7
}

// Events are a typed stream that runs until the context ends.
func ExampleJSONStream_events() {
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	api := v141.New(c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exampleImage(ctx, api)
	since := fmt.Sprint(time.Now().Unix())
	id := runContainer(ctx, api, v141.ContainerCreateRequest{Cmd: []string{"true"}})
	api.ContainerWait(ctx, id, v141.ContainerWaitOptions{})
	api.ContainerDelete(ctx, id, v141.ContainerDeleteOptions{Force: true})

	events, err := api.SystemEvents(ctx, v141.SystemEventsOptions{
		Since:   since,
		Filters: docker.Filters{"container": {id}, "event": {"start", "die", "destroy"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer events.Close()
	for ev, err := range events.All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Type, ev.Action)
		if ev.Action == "destroy" {
			break
		}
	}
	// Output:
	// container start
	// container die
	// container destroy
}

// Registry credentials are sent base64url-encoded, and never printed.
func ExampleAuthConfig() {
	auth := docker.AuthConfig{Username: "ci", Password: "s3cr3t", ServerAddress: "127.0.0.1:5000"}
	fmt.Println(auth)
	header, _ := auth.Encode()
	raw, _ := json.Marshal(auth)
	fmt.Println(strings.ContainsAny(header, "+/"), len(header) > len(raw))
	// Output:
	// AuthConfig{Username: "ci", ServerAddress: "127.0.0.1:5000", secrets redacted}
	// false true
}

func writeTar(w io.Writer, name, content string) {
	tw := tar.NewWriter(w)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content))})
	io.WriteString(tw, content)
	tw.Close()
}

// Archives stream both ways: put a tar into a container, then read a path
// back as a tar with its stat.
func ExampleStream() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	api := v141.New(c)
	exampleImage(ctx, api)
	created, err := api.ContainerCreate(ctx, v141.ContainerCreateOptions{Body: v141.ContainerCreateRequest{
		Image: "busybox:latest", Cmd: []string{"true"}, HostConfig: v141.HostConfig{NetworkMode: "none"},
	}})
	if err != nil {
		log.Fatal(err)
	}
	defer api.ContainerDelete(ctx, created.ID, v141.ContainerDeleteOptions{Force: true})

	var upload bytes.Buffer
	writeTar(&upload, "greeting.txt", "hello, archive\n")
	err = api.PutContainerArchive(ctx, created.ID, v141.PutContainerArchiveOptions{Path: "/tmp", Body: &upload})
	if err != nil {
		log.Fatal(err)
	}
	archive, err := api.ContainerArchive(ctx, created.ID, v141.ContainerArchiveOptions{Path: "/tmp/greeting.txt"})
	if err != nil {
		log.Fatal(err)
	}
	defer archive.Close()
	stat, err := archive.PathStat()
	if err != nil {
		log.Fatal(err)
	}
	tr := tar.NewReader(archive)
	hdr, err := tr.Next()
	if err != nil {
		log.Fatal(err)
	}
	content, _ := io.ReadAll(tr)
	fmt.Println(stat.Name, stat.Size, hdr.Name, strings.TrimSpace(string(content)))
	// Output: greeting.txt 15 greeting.txt hello, archive
}
