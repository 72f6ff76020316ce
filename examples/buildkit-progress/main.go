// Command buildkit-progress builds a directory with BuildKit and shows the
// progress as `docker buildx build` does: one line per step, redrawn in
// place on a terminal, plain lines otherwise (or with -plain). The context
// honours .dockerignore; secrets and SSH agents reach RUN --mount.
//
//	go run ./examples/buildkit-progress -t app:dev -secret id=token,src=$HOME/.token DIR
//	go run ./examples/buildkit-progress -o rootfs.tar DIR   # the result as a tar, no image
//
// It needs a daemon with BuildKit (Docker 18.09 and later; not Podman),
// speaks the API version the client negotiates, and links no version
// package and no module but the SDK.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/buildcontext"
	"github.com/dockerclient/docker/buildkit"
)

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	var tags, args, secrets, ssh list
	flag.Var(&tags, "t", "name the image (repeatable)")
	flag.Var(&args, "build-arg", "ARG=value (repeatable)")
	flag.Var(&secrets, "secret", "id=ID,src=FILE or id=ID,env=VAR: a secret for RUN --mount=type=secret (repeatable)")
	flag.Var(&ssh, "ssh", "ID or ID=SOCKET: an SSH agent for RUN --mount=type=ssh; `default` is $SSH_AUTH_SOCK (repeatable)")
	dockerfile := flag.String("f", "", "the Dockerfile's path in the context (default Dockerfile)")
	target := flag.String("target", "", "the stage to build")
	noCache := flag.Bool("no-cache", false, "run every step again")
	network := flag.String("network", "", `network of the RUN steps ("none", "host"; the daemon's default when empty)`)
	plain := flag.Bool("plain", false, "plain lines even on a terminal")
	output := flag.String("o", "", "write the result's file system to this tar file instead of making an image")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: buildkit-progress [flags] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	cfg := buildkit.Config{
		Dockerfile:  *dockerfile,
		Tags:        tags,
		Target:      *target,
		NoCache:     *noCache,
		NetworkMode: *network,
	}
	if err := parseFlags(&cfg, args, secrets, ssh); err != nil {
		fmt.Fprintln(os.Stderr, "buildkit-progress:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := build(ctx, flag.Arg(0), cfg, *plain, *output); err != nil {
		fmt.Fprintln(os.Stderr, "buildkit-progress:", err)
		os.Exit(1)
	}
}

func build(ctx context.Context, dir string, cfg buildkit.Config, plain bool, output string) (err error) {
	c, err := docker.NewFromEnv()
	if err != nil {
		return err
	}
	defer c.Close()
	tar, err := buildcontext.Dir(dir, buildcontext.WithDockerfile(cfg.Dockerfile))
	if err != nil {
		return err
	}
	defer tar.Close()
	cfg.Context = tar
	if output != "" {
		f, ferr := os.Create(output) // not err: the deferred func reads the result
		if ferr != nil {
			return ferr
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(output) // no half-written result
			}
		}()
		cfg.Output = f
	}

	var term *buildkit.Terminal // plain lines
	if !plain && isTerminal(os.Stderr) {
		// The standard library cannot ask a terminal its size; a shell that
		// exports COLUMNS and LINES says it, else 80x24 is assumed.
		w, _ := strconv.Atoi(os.Getenv("COLUMNS"))
		h, _ := strconv.Atoi(os.Getenv("LINES"))
		term = &buildkit.Terminal{Width: w, Height: h}
	}
	p := buildkit.NewPrinter(os.Stderr, term)
	cfg.Progress = p.Update
	id, err := buildkit.Build(ctx, c, cfg)
	p.Done()
	var be *buildkit.BuildError
	switch {
	case errors.As(err, &be) && be.Step != "":
		// The printer showed the step's output; say which step, briefly.
		if be.ExitCode != 0 {
			return fmt.Errorf("step %q failed with exit code %d", be.Step, be.ExitCode)
		}
		return fmt.Errorf("step %q failed: %s", be.Step, be.Message)
	case err != nil:
		return err
	case output != "":
		fmt.Println("wrote", output)
	default:
		fmt.Println(id)
	}
	return nil
}

func parseFlags(cfg *buildkit.Config, args, secrets, ssh list) error {
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			v = os.Getenv(k) // as docker build does for a bare name
		}
		if cfg.BuildArgs == nil {
			cfg.BuildArgs = map[string]string{}
		}
		cfg.BuildArgs[k] = v
	}
	for _, s := range secrets {
		var sec buildkit.Secret
		for _, kv := range strings.Split(s, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "id":
				sec.ID = v
			case "src", "source":
				sec.File = v
			case "env":
				sec.Data = []byte(os.Getenv(v))
			default:
				return fmt.Errorf("-secret %q: unknown key %q (want id, src or env)", s, k)
			}
		}
		cfg.Secrets = append(cfg.Secrets, sec)
	}
	for _, s := range ssh {
		id, sock, _ := strings.Cut(s, "=")
		cfg.SSH = append(cfg.SSH, buildkit.SSHAgent{ID: id, Socket: sock})
	}
	return nil
}

// isTerminal reports whether f is a character device, as a terminal is;
// the standard library has no finer test.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
