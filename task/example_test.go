package task_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/task"
)

// The examples run the image TestMain imports.
const exampleImage = "dockersdk-task/busybox:latest"

func ExampleRun() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	_, err = task.Run(ctx, c, task.Config{
		Image:       exampleImage,
		Cmd:         []string{"sh", "-c", "echo hello; echo failing >&2; exit 3"},
		NetworkMode: "none",
		Stdout:      os.Stdout,
	})
	var exit *task.ExitError
	if errors.As(err, &exit) {
		fmt.Println("exit code", exit.Code, "stderr", string(exit.Stderr))
	}
	// Output:
	// hello
	// exit code 3 stderr failing
}

func ExampleExec() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ct, err := task.Start(ctx, c, task.Config{Image: exampleImage, Cmd: []string{"sleep", "60"}, NetworkMode: "none"})
	if err != nil {
		log.Fatal(err)
	}
	defer ct.Remove(ctx)

	var out bytes.Buffer
	code, err := task.Exec(ctx, c, ct.ID, task.ExecConfig{Cmd: []string{"sh", "-c", "echo $GREETING"}, Env: []string{"GREETING=hi"}, Stdout: &out})
	fmt.Printf("%d %v %q\n", code, err, out.String())
	// Output: 0 <nil> "hi\n"
}

func ExampleCopyTo() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ct, err := task.Start(ctx, c, task.Config{Image: exampleImage, Cmd: []string{"sleep", "60"}, NetworkMode: "none"})
	if err != nil {
		log.Fatal(err)
	}
	defer ct.Remove(ctx)

	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "greeting"), []byte("hello\n"), 0o640); err != nil {
		log.Fatal(err)
	}
	if err := task.CopyTo(ctx, c, ct.ID, "/tmp", filepath.Join(dir, "greeting")); err != nil {
		log.Fatal(err)
	}
	st, err := task.Stat(ctx, c, ct.ID, "/tmp/greeting")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Name, st.Size, st.Mode)

	if err := task.CopyFrom(ctx, c, ct.ID, "/tmp/greeting", filepath.Join(dir, "back")); err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "back", "greeting"))
	fmt.Printf("%q %v\n", b, err)
	// Output:
	// greeting 6 -rw-r-----
	// "hello\n" <nil>
}

func ExampleWaitUntil() {
	ctx := context.Background()
	c, err := docker.NewFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ct, err := task.Start(ctx, c, task.Config{
		Image:       exampleImage,
		Cmd:         []string{"sh", "-c", "sleep 0.2; echo listening; echo > /tmp/ready; sleep 60"},
		NetworkMode: "none",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer ct.Remove(ctx)

	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = task.WaitUntil(wctx, c, ct.ID, task.WaitForLog("listening"), task.WaitForExec("sh", "-c", "test -f /tmp/ready"))
	fmt.Println("ready:", err)

	// A strategy that times out says what it saw last.
	wctx, cancel = context.WithTimeout(ctx, time.Second)
	defer cancel()
	err = task.WaitUntil(wctx, c, ct.ID, task.WaitForLog("never printed"))
	var we *task.WaitError
	if errors.As(err, &we) {
		fmt.Println(we.Err, "|", we.LastSeen)
	}
	// Output:
	// ready: <nil>
	// context deadline exceeded | last lines "listening"
}
