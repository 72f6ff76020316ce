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
	since := strconv.FormatInt(time.Now().Unix(), 10)
	for {
		events, err := api.SystemEvents(ctx, v141.SystemEventsOptions{Since: since, Filters: filters})
		if err != nil {
			return err
		}
		for ev, err := range events.All() {
			if err != nil {
				break // the stream broke: reconnect from the last event seen
			}
			// Resume after this event: the daemon replays from since.
			since = fmt.Sprintf("%d.%09d", ev.TimeNano/1e9, ev.TimeNano%1e9+1)
			fmt.Printf("%s %s %s %s\n", time.Unix(0, ev.TimeNano).Format(time.RFC3339Nano), ev.Type, ev.Action, ev.Actor.ID)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(time.Second)
	}
}
