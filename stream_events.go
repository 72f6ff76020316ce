package docker

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// SinceNano formats a Unix time in nanoseconds (an event's TimeNano) as
// the since and until parameters of SystemEvents and ContainerLogs take it:
// seconds, a dot, nine digits of nanoseconds.
func SinceNano(timeNano int64) string {
	return fmt.Sprintf("%d.%09d", timeNano/1e9, timeNano%1e9)
}

// Backoff bounds of FollowEvents between reopening attempts.
const (
	followMinBackoff = 100 * time.Millisecond
	followMaxBackoff = 10 * time.Second
)

// FollowEvents follows the daemon's events until ctx ends, opening the
// stream again when it ends early (the daemon restarted, a proxy cut the
// connection): each time from the time of the last event delivered, so
// that nothing is lost while the daemon still holds the events in its
// buffer (dockerd keeps the last 256 or more), and events it sends again
// are skipped.
//
// open opens the stream from since ("" for now, the first time; pass your
// own starting point there if you have one); timeNano returns an event's
// TimeNano. With v141:
//
//	open := func(ctx context.Context, since string) (*docker.JSONStream[v141.EventMessage], error) {
//		return cli.SystemEvents(ctx, v141.SystemEventsOptions{Since: since, Filters: f})
//	}
//	for ev, err := range docker.FollowEvents(ctx, open, func(e v141.EventMessage) int64 { return e.TimeNano }) {
//		if err != nil {
//			log.Print(err) // reopening after a backoff; break to stop
//			continue
//		}
//		...
//	}
//
// An error (from open, or the one that ended a stream) is yielded but does
// not end the loop: FollowEvents waits (100 ms, doubling to 10 s, reset by
// the next event) and opens the stream again. The loop ends when ctx ends
// or the caller breaks. Do not set `until`: a stream that ends there would
// be reopened. Until the first event arrives, a reopened stream starts at
// the since given to the first open, or now if that was "".
//
// To resume by hand instead, open SystemEvents with Since set to
// SinceNano(last.TimeNano) and skip the events with that TimeNano you
// already saw: since is inclusive.
func FollowEvents[T any](ctx context.Context, open func(ctx context.Context, since string) (*JSONStream[T], error), timeNano func(T) int64) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var (
			zero    T
			since   string
			last    int64 // TimeNano of the last event delivered
			atLast  int   // how many delivered events have that TimeNano
			backoff = followMinBackoff
		)
		for ctx.Err() == nil {
			s, err := open(ctx, since)
			if err == nil {
				var stop bool
				stop, err = followOnce(s, yield, timeNano, &last, &atLast, &backoff)
				if stop {
					return
				}
			}
			if ctx.Err() != nil {
				return
			}
			if err != nil && !yield(zero, err) {
				return
			}
			if last != 0 {
				since = SinceNano(last)
			}
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, followMaxBackoff)
		}
	}
}

// followOnce delivers the events of one stream. stop says the caller broke
// out of the loop.
func followOnce[T any](s *JSONStream[T], yield func(T, error) bool, timeNano func(T) int64, last *int64, atLast *int, backoff *time.Duration) (stop bool, err error) {
	defer s.Close()
	skip := 0 // events at *last that a reopened stream sends again
	if *last != 0 {
		skip = *atLast
	}
	for s.Next() {
		v := s.Value()
		tn := timeNano(v)
		switch {
		case tn < *last:
			continue
		case tn == *last && skip > 0:
			skip--
			continue
		case tn > *last:
			*last, *atLast, skip = tn, 0, 0
		}
		*atLast++
		*backoff = followMinBackoff
		if !yield(v, nil) {
			return true, nil
		}
	}
	return false, s.Err()
}
