// Command events-follow prints the daemon's events as they happen, like
// `docker events`, and picks up where it left off when the stream breaks.
//
//	go run ./examples/events-follow -type container
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

func main() {
	kind := flag.String("type", "", "only events of this type (container, image, network, volume, ...)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := follow(ctx, *kind); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "events-follow:", err)
		os.Exit(1)
	}
}

func follow(ctx context.Context, kind string) error {
	c, err := docker.NewFromEnv()
	if err != nil {
		return err
	}
	defer c.Close()
	api := v141.New(c)
	var filters docker.Filters
	if kind != "" {
		filters = filters.Add("type", kind)
	}
	open := func(ctx context.Context, since string) (*docker.JSONStream[v141.EventMessage], error) {
		if since == "" {
			since = strconv.FormatInt(time.Now().Unix(), 10)
		}
		return api.SystemEvents(ctx, v141.SystemEventsOptions{Since: since, Filters: filters})
	}
	// FollowEvents reopens the stream from the last event's time when it
	// breaks, and drops the events the daemon then sends twice.
	timeNano := func(ev v141.EventMessage) int64 { return ev.TimeNano }
	for ev, err := range docker.FollowEvents(ctx, open, timeNano) {
		if err != nil {
			return err
		}
		fmt.Printf("%s %s %s %s\n", time.Unix(0, ev.TimeNano).Format(time.RFC3339Nano), ev.Type, ev.Action, ev.Actor.ID)
	}
	return ctx.Err()
}
