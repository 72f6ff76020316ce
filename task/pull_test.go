package task_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/task"
)

// Run pulls an image the daemon lacks, from the test registry, and shows
// the pull's progress; a second Run finds it and pulls nothing.
func TestRunPullsMissing(t *testing.T) {
	reg := testdaemon.Registry(t)
	c, _ := newClient(t)
	ctx := testContext(t)
	repo := reg + "/dockersdk-task/pulled"
	tag := fmt.Sprintf("t%d", time.Now().UnixNano())
	ref := repo + ":" + tag

	// Put the test image in the registry under a name the daemon then
	// forgets.
	if err := c.Call(ctx, "ImageTag", docker.Args{"name": busybox, "repo": repo, "tag": tag}, nil); err != nil {
		t.Fatalf("ImageTag: %v", err)
	}
	var push *docker.JSONStream[docker.JSONMessage]
	if err := c.Call(ctx, "ImagePush", docker.Args{"name": repo, "tag": tag, "X-Registry-Auth": &docker.AuthConfig{}}, &push); err != nil {
		t.Fatalf("ImagePush %s: %v", ref, err)
	}
	if err := push.Wait(); err != nil {
		t.Fatalf("ImagePush %s: %v", ref, err)
	}
	removeRef := func(ctx context.Context) error {
		return c.Call(ctx, "ImageDelete", docker.Args{"name": ref}, nil)
	}
	if err := removeRef(ctx); err != nil {
		t.Fatalf("ImageDelete %s: %v", ref, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := removeRef(ctx); err != nil && !docker.IsNotFound(err) {
			t.Errorf("removing %s: %v", ref, err)
		}
	})

	run := func() (pulls int) {
		var out bytes.Buffer
		cfg := runConfig(t, "echo", "pulled")
		cfg.Image, cfg.Stdout = ref, &out
		cfg.Progress = func(docker.JSONMessage) { pulls++ }
		if _, err := task.Run(ctx, c, cfg); err != nil {
			t.Fatalf("Run %s: %v", ref, err)
		}
		if out.String() != "pulled\n" {
			t.Errorf("Run %s: stdout %q", ref, out.String())
		}
		return pulls
	}
	if n := run(); n == 0 {
		t.Errorf("Run of an image the daemon lacks reported no pull progress")
	}
	if n := run(); n != 0 {
		t.Errorf("Run of an image the daemon has pulled it again (%d progress messages)", n)
	}
	// PullNever does not pull: the missing image is the create's 404.
	if err := removeRef(ctx); err != nil {
		t.Fatalf("ImageDelete %s: %v", ref, err)
	}
	cfg := runConfig(t, "true")
	cfg.Image, cfg.Pull = ref, task.PullNever
	if _, err := task.Run(ctx, c, cfg); !docker.IsNotFound(err) || !strings.Contains(err.Error(), "pulled") {
		t.Errorf("Run with PullNever of a missing image: %v, want not found naming it", err)
	}
}
