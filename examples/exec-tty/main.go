// Command exec-tty opens an interactive shell in a running container, like
// `docker exec -it CONTAINER sh`: the local terminal goes raw, keystrokes go
// to the shell, and the shell's TTY follows the window's size.
//
//	go run . CONTAINER [CMD...]   (from examples/exec-tty)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: exec-tty CONTAINER [CMD...]")
		os.Exit(2)
	}
	cmd := os.Args[2:]
	if len(cmd) == 0 {
		cmd = []string{"sh"}
	}
	code, err := run(context.Background(), os.Args[1], cmd)
	if err != nil {
		fmt.Fprintln(os.Stderr, "exec-tty:", err)
		os.Exit(125)
	}
	os.Exit(code)
}

func run(ctx context.Context, container string, cmd []string) (int, error) {
	c, err := docker.NewFromEnv()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	api := v141.New(c)

	// A TTY only when there is a terminal to drive it, as `docker exec -it`
	// insists; piped input runs without one (and stdout and stderr stay
	// apart).
	stdin := int(os.Stdin.Fd())
	tty := term.IsTerminal(stdin)
	created, err := api.ContainerExec(ctx, container, v141.ContainerExecOptions{Body: v141.ContainerExecRequest{
		AttachStdin: true, AttachStdout: true, AttachStderr: true, TTY: tty, Cmd: cmd,
	}})
	if err != nil {
		return 0, err
	}
	conn, err := api.ExecStart(ctx, created.ID, v141.ExecStartOptions{Body: &v141.ExecStartRequest{TTY: tty}})
	if err != nil {
		return 0, err
	}
	defer conn.Close()

	if tty {
		state, err := term.MakeRaw(stdin)
		if err != nil {
			return 0, err
		}
		defer term.Restore(stdin, state)
		stop := followWindowSize(ctx, api, created.ID, stdin)
		defer stop()
	}

	go func() {
		io.Copy(conn, os.Stdin)
		conn.CloseWrite() // the shell sees EOF on stdin
	}()
	// With a TTY the output is raw and Demux copies it to stdout as it is;
	// without one it splits stdout from stderr.
	if err := conn.Output().Demux(os.Stdout, os.Stderr); err != nil {
		return 0, err
	}
	info, err := api.ExecInspect(ctx, created.ID)
	if err != nil {
		return 0, err
	}
	return int(info.ExitCode), nil
}

// followWindowSize resizes the exec's TTY now and whenever the window
// changes, until stop is called.
func followWindowSize(ctx context.Context, api *v141.Client, execID string, fd int) (stop func()) {
	resize := func() {
		w, h, err := term.GetSize(fd)
		if err == nil {
			api.ExecResize(ctx, execID, v141.ExecResizeOptions{Height: h, Width: w})
		}
	}
	resize()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				resize()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(winch)
		close(done)
	}
}
