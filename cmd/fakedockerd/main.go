// Command fakedockerd is a fake Docker daemon for tests in any language,
// the docker CLI's included: it serves one Engine API version, checks every
// request against that version's spec, and answers from the spec or from a
// recording (see package dockertest).
//
//	fakedockerd -api 1.47 -listen unix:///tmp/x.sock
//	fakedockerd -replay calls.json -listen tcp://127.0.0.1:2375
//	fakedockerd -api 1.47 -record calls.json -upstream unix:///var/run/docker.sock
//
// Each request that does not conform to the spec is logged to stderr and
// answered 400, as the daemon answers; the command exits 1 at SIGINT or
// SIGTERM if there was any.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/dockerclient/docker/dockertest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stderr, nil)
	var fe failedRequests
	switch {
	case errors.As(err, &fe):
		fmt.Fprintln(os.Stderr, "fakedockerd:", err)
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "fakedockerd:", err)
		os.Exit(2)
	}
}

type failedRequests int

func (n failedRequests) Error() string {
	return fmt.Sprintf("%d requests or answers did not conform to the spec", int(n))
}

// run serves until ctx ends. ready, if not nil, is called with the
// server's DOCKER_HOST once it listens.
func run(ctx context.Context, args []string, log io.Writer, ready func(host string)) error {
	fs := flag.NewFlagSet("fakedockerd", flag.ContinueOnError)
	fs.SetOutput(log)
	api := fs.String("api", "", "the API version to serve, 1.25 to 1.57 (default: the replayed file's)")
	listen := fs.String("listen", "tcp://127.0.0.1:2375", "where to listen: unix:///path or tcp://127.0.0.1:PORT")
	replay := fs.String("replay", "", "serve the exchanges of this recording (or hand-written script)")
	record := fs.String("record", "", "proxy to -upstream and write the exchanges to this file at exit")
	upstream := fs.String("upstream", "", "the real daemon to record: unix:///path or tcp://HOST:PORT")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var failures atomic.Int64
	opts := []dockertest.Option{
		dockertest.Listen(*listen),
		dockertest.KeepBodies(0), // no one reads the calls: hold no bodies
		dockertest.ReportTo(func(msg string) {
			failures.Add(1)
			fmt.Fprintln(log, msg)
		}),
	}
	switch {
	case *replay != "" && *record != "":
		return errors.New("-replay and -record exclude each other")
	case *record != "" && *upstream == "":
		return errors.New("-record needs -upstream, the daemon to record")
	case *upstream != "" && *record == "":
		return errors.New("-upstream is for -record")
	case *replay != "":
		if *api == "" {
			rec, err := dockertest.ReadRecording(*replay)
			if err != nil {
				return err
			}
			*api = rec.Version
		}
		opts = append(opts, dockertest.Replay(*replay))
	case *record != "":
		opts = append(opts, dockertest.Record(*record, *upstream))
	}
	if *api == "" {
		return errors.New("-api is required (such as -api 1.47)")
	}
	s, err := dockertest.NewServer(*api, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "fakedockerd: API v%s on %s\n", s.Version(), s.Host())
	if ready != nil {
		ready(s.Host())
	}
	<-ctx.Done()
	if err := s.Close(); err != nil {
		return err
	}
	if n := failures.Load(); n > 0 {
		return failedRequests(n)
	}
	return nil
}
