package docker_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

func TestSinceNano(t *testing.T) {
	for ns, want := range map[int64]string{
		1700000000123456789: "1700000000.123456789",
		1700000000000000042: "1700000000.000000042",
		1700000000000000000: "1700000000.000000000",
	} {
		if got := docker.SinceNano(ns); got != want {
			t.Errorf("SinceNano(%d) = %q, want %q", ns, got, want)
		}
	}
}

func event(action string, ns int64) string {
	return fmt.Sprintf(`{"Type":"container","Action":%q,"Actor":{"ID":"c1"},"scope":"local","time":%d,"timeNano":%d}`+"\n", action, ns/1e9, ns)
}

// TestFollowEventsResumes: the daemon's event stream breaks twice; the
// helper reopens it from the last event's time, drops the events the
// daemon sends again (since is inclusive, and two events share a
// nanosecond), and reports each break.
func TestFollowEventsResumes(t *testing.T) {
	const t0 = int64(1700000000_000000000)
	var (
		mu     sync.Mutex
		sinces []string
	)
	c, cli := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := len(sinces)
		sinces = append(sinces, r.URL.Query().Get("since"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		switch n {
		case 0:
			io.WriteString(w, event("create", t0+1)+event("start", t0+2)+event("attach", t0+2))
			// Cut off in the middle of a message: a broken connection.
			io.WriteString(w, `{"Type":"container","Act`)
		case 1:
			// Replays from since, inclusive; then a clean end.
			io.WriteString(w, event("start", t0+2)+event("attach", t0+2)+event("die", t0+3))
		default:
			io.WriteString(w, event("die", t0+3)+event("destroy", t0+4))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}
	}))
	before := goroutines()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	open := func(ctx context.Context, since string) (*docker.JSONStream[v141.EventMessage], error) {
		return cli.SystemEvents(ctx, v141.SystemEventsOptions{Since: since})
	}
	var actions []string
	var errs []error
	for ev, err := range docker.FollowEvents(ctx, open, func(e v141.EventMessage) int64 { return e.TimeNano }) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		actions = append(actions, ev.Action)
		if ev.Action == "destroy" {
			break
		}
	}
	if fmt.Sprint(actions) != "[create start attach die destroy]" {
		t.Errorf("actions %v", actions)
	}
	if len(errs) != 1 {
		t.Errorf("errors %v, want the one truncated stream", errs)
	}
	mu.Lock()
	if want := fmt.Sprint([]string{"", docker.SinceNano(t0 + 2), docker.SinceNano(t0 + 3)}); fmt.Sprint(sinces) != want {
		t.Errorf("since parameters %q, want %s", sinces, want)
	}
	mu.Unlock()
	checkGoroutines(t, c, before)
}

// TestFollowEventsStopsWithContext: the loop ends when ctx does, while the
// stream waits for events and while it waits to reopen.
func TestFollowEventsStopsWithContext(t *testing.T) {
	c, cli := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("filters") != "" {
			http.Error(w, `{"message":"daemon is restarting"}`, http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	for _, failing := range []bool{false, true} {
		before := goroutines()
		ctx, cancel := context.WithCancel(context.Background())
		open := func(ctx context.Context, since string) (*docker.JSONStream[v141.EventMessage], error) {
			opts := v141.SystemEventsOptions{Since: since}
			if failing {
				opts.Filters = docker.Filters{"type": {"container"}}
			}
			return cli.SystemEvents(ctx, opts)
		}
		time.AfterFunc(500*time.Millisecond, cancel)
		start := time.Now()
		n := 0
		for _, err := range docker.FollowEvents(ctx, open, func(e v141.EventMessage) int64 { return e.TimeNano }) {
			if err == nil || !docker.IsNotAvailable(err) {
				t.Fatalf("failing=%v: %v", failing, err)
			}
			n++
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("failing=%v: the loop ended %v after cancel", failing, d)
		}
		if failing && n < 2 {
			t.Fatalf("%d failed opens reported, want a few (with backoff)", n)
		}
		cancel()
		checkGoroutines(t, c, before)
	}
}
