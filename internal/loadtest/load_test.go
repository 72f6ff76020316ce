// Package loadtest drives the real test daemon with many goroutines of
// mixed calls and checks that nothing fails and nothing leaks: file
// descriptors and goroutines return to their starting counts. It runs only
// when asked, since it takes a while: make load, or DOCKERSDK_LOAD=1 with
// DOCKER_TEST_HOST naming the daemon.
package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v141"
)

func openFDs() int {
	entries, _ := os.ReadDir("/proc/self/fd")
	return len(entries)
}

func settle(want int, count func() int) int {
	deadline := time.Now().Add(5 * time.Second)
	n := count()
	for n > want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n = count()
	}
	return n
}

func TestLoad(t *testing.T) {
	if os.Getenv("DOCKERSDK_LOAD") == "" {
		t.Skip("set DOCKERSDK_LOAD=1 and DOCKER_TEST_HOST (or run make load) to run the load test")
	}
	workers, _ := strconv.Atoi(os.Getenv("DOCKERSDK_LOAD_WORKERS"))
	if workers == 0 {
		workers = 64
	}
	duration, _ := time.ParseDuration(os.Getenv("DOCKERSDK_LOAD_DURATION"))
	if duration == 0 {
		duration = 30 * time.Second
	}
	host := testdaemon.Host(t)
	ctx := context.Background()

	fdsBefore, goroutinesBefore := openFDs(), runtime.NumGoroutine()
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close() // again after the deferred removal, whose connection stays idle in the pool
	api := v141.New(c)
	image := ensureImage(t, c)

	// One finished container to inspect and read logs from.
	base, err := api.ContainerCreate(ctx, v141.ContainerCreateOptions{
		Name: fmt.Sprintf("load-base-%d", time.Now().UnixNano()),
		Body: v141.ContainerCreateRequest{Image: image, Cmd: []string{"sh", "-c", "echo line1; echo line2"}, HostConfig: v141.HostConfig{NetworkMode: "none"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer api.ContainerDelete(context.Background(), base.ID, v141.ContainerDeleteOptions{Force: true})
	if err := api.ContainerStart(ctx, base.ID, v141.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ContainerWait(ctx, base.ID, v141.ContainerWaitOptions{}); err != nil {
		t.Fatal(err)
	}

	var ops, failures [4]atomic.Int64
	var firstErr atomic.Value
	stop := time.Now().Add(duration)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(stop); i++ {
				kind := i % 4
				err := mixedCall(ctx, api, kind, base.ID, image, w, i)
				ops[kind].Add(1)
				if err != nil {
					failures[kind].Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	c.Close()

	fdsAfter := settle(fdsBefore, openFDs)
	goroutinesAfter := settle(goroutinesBefore, runtime.NumGoroutine)
	names := []string{"inspect", "list", "create+remove", "logs"}
	var total, errs int64
	summary := ""
	for k := range names {
		total += ops[k].Load()
		errs += failures[k].Load()
		summary += fmt.Sprintf(" %s=%d", names[k], ops[k].Load())
	}
	fmt.Printf("load: %d workers x %s: %d calls (%.0f/s;%s), %d errors; fds %d -> %d; goroutines %d -> %d\n",
		workers, duration, total, float64(total)/duration.Seconds(), summary, errs, fdsBefore, fdsAfter, goroutinesBefore, goroutinesAfter)
	if errs > 0 {
		t.Errorf("%d calls failed; the first: %v", errs, firstErr.Load())
	}
	if fdsAfter > fdsBefore {
		t.Errorf("open file descriptors %d -> %d", fdsBefore, fdsAfter)
	}
	if goroutinesAfter > goroutinesBefore {
		t.Errorf("goroutines %d -> %d", goroutinesBefore, goroutinesAfter)
	}
}

func mixedCall(ctx context.Context, api *v141.Client, kind int, baseID, image string, w, i int) error {
	switch kind {
	case 0:
		_, err := api.ContainerInspect(ctx, baseID, v141.ContainerInspectOptions{})
		return err
	case 1:
		_, err := api.ContainerList(ctx, v141.ContainerListOptions{All: true, Limit: docker.Ptr(20)})
		return err
	case 2:
		created, err := api.ContainerCreate(ctx, v141.ContainerCreateOptions{
			Name: fmt.Sprintf("load-%d-%d-%d", w, i, time.Now().UnixNano()),
			Body: v141.ContainerCreateRequest{Image: image, Cmd: []string{"true"}, HostConfig: v141.HostConfig{NetworkMode: "none"}},
		})
		if err != nil {
			return err
		}
		return api.ContainerDelete(ctx, created.ID, v141.ContainerDeleteOptions{Force: true})
	default:
		logs, err := api.ContainerLogs(ctx, baseID, v141.ContainerLogsOptions{Stdout: true, Stderr: true})
		if err != nil {
			return err
		}
		defer logs.Close()
		var out bytes.Buffer
		if err := logs.Demux(&out, io.Discard); err != nil {
			return err
		}
		if out.String() != "line1\nline2\n" {
			return fmt.Errorf("logs = %q", out.String())
		}
		return nil
	}
}

// ensureImage imports busybox from the local static binary when the daemon
// lacks it.
func ensureImage(t *testing.T, c *docker.Client) string {
	const image = "busybox:latest"
	ctx := context.Background()
	if _, err := v141.New(c).ImageInspect(ctx, image, v141.ImageInspectOptions{}); err == nil {
		return image
	}
	rootfs, err := testdaemon.BusyboxRootfs()
	if err != nil {
		t.Fatal(err)
	}
	progress, err := v141.New(c).ImageCreate(ctx, v141.ImageCreateOptions{FromSrc: "-", Repo: "busybox", Tag: "latest", Body: bytes.NewReader(rootfs)})
	if err != nil {
		t.Fatal(err)
	}
	if err := progress.Wait(); err != nil {
		t.Fatal(err)
	}
	return image
}
