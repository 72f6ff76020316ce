package task_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/task"
)

// A tree copied into a container keeps its modes, owners and links, and
// comes back out the same, at the versions where the operations have
// other names (before 1.28) and after.
func TestCopyRoundTrip(t *testing.T) {
	for _, version := range []string{"", "1.27"} {
		t.Run("api"+version, func(t *testing.T) {
			c, _ := newClient(t)
			if version != "" {
				if !serves(t, c, version) {
					t.Skipf("the daemon does not serve API %s", version)
				}
				c, _ = newClient(t, docker.WithAPIVersion(version))
			}
			ctx := testContext(t)
			ct, err := task.Start(ctx, c, runConfig(t, "sleep", "60"))
			if err != nil {
				t.Fatal(err)
			}
			defer ct.Remove(ctx)

			src := filepath.Join(t.TempDir(), "tree")
			must(t, os.MkdirAll(filepath.Join(src, "sub"), 0o750))
			must(t, os.WriteFile(filepath.Join(src, "run.sh"), []byte("#!/bin/sh\necho hi\n"), 0o754))
			must(t, os.WriteFile(filepath.Join(src, "sub", "data"), []byte("data"), 0o600))
			must(t, os.Symlink("sub/data", filepath.Join(src, "link")))
			owner := "1234:5678"
			if os.Getuid() == 0 {
				must(t, os.Lchown(filepath.Join(src, "sub", "data"), 1234, 5678))
			} else {
				owner = fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid())
			}
			if err := task.CopyTo(ctx, c, ct.ID, "/tmp", src); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			_, err = task.Exec(ctx, c, ct.ID, task.ExecConfig{Stdout: &out, Cmd: []string{"sh", "-c",
				"cd /tmp/tree && busybox stat -c '%n %a %u:%g' run.sh sub sub/data && busybox readlink link && cat link"}})
			if err != nil {
				t.Fatal(err)
			}
			own := fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid())
			want := "run.sh 754 " + own + "\nsub 750 " + own + "\nsub/data 600 " + owner + "\nsub/data\ndata"
			if got := strings.TrimSpace(out.String()); got != want {
				t.Errorf("in the container:\n%s\nwant\n%s", got, want)
			}

			st, err := task.Stat(ctx, c, ct.ID, "/tmp/tree/run.sh")
			if err != nil || st.Name != "run.sh" || st.Size != 18 || st.Mode.Perm() != 0o754 {
				t.Errorf("Stat: %+v, %v", st, err)
			}
			if _, err := task.Stat(ctx, c, ct.ID, "/nope"); !docker.IsNotFound(err) {
				t.Errorf("Stat of a missing path: %v, want a not-found error", err)
			}

			dst := t.TempDir()
			if err := task.CopyFrom(ctx, c, ct.ID, "/tmp/tree", dst); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(filepath.Join(dst, "tree", "run.sh"))
			if err != nil || fi.Mode() != 0o754 {
				t.Errorf("run.sh copied out: %v, %v", fi, err)
			}
			if l, err := os.Readlink(filepath.Join(dst, "tree", "link")); l != "sub/data" {
				t.Errorf("link copied out: %q, %v", l, err)
			}
			if b, err := os.ReadFile(filepath.Join(dst, "tree", "sub", "data")); string(b) != "data" {
				t.Errorf("data copied out: %q, %v", b, err)
			}

			if err := task.CopyTo(ctx, c, ct.ID, "/tmp", filepath.Join(t.TempDir(), "missing")); err == nil {
				t.Error("CopyTo of a missing file succeeded")
			}
			if err := task.CopyFrom(ctx, c, ct.ID, "/missing", dst); !docker.IsNotFound(err) {
				t.Errorf("CopyFrom of a missing path: %v, want a not-found error", err)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The daemon's answer reaches the caller even when it cuts the archive
// short: a missing container is IsNotFound, and named whole in the error.
func TestCopyToReportsDaemonError(t *testing.T) {
	c, _ := newClient(t)
	ctx := testContext(t)
	src := filepath.Join(t.TempDir(), "big")
	must(t, os.WriteFile(src, bytes.Repeat([]byte("x"), 32<<20), 0o644))
	for i := 0; i < 5; i++ {
		err := task.CopyTo(ctx, c, "no-such-container", "/tmp", src)
		if !docker.IsNotFound(err) || !strings.Contains(err.Error(), "no-such-container") {
			t.Fatalf("CopyTo into a missing container: %v, want not found naming it", err)
		}
	}
}
