// Command pull-progress pulls an image and draws a progress bar per layer
// from the typed progress stream, like `docker pull`. A failed pull (an
// unknown tag, say) arrives inside the stream and is reported as an error.
//
//	go run ./examples/pull-progress 127.0.0.1:5000/team/app:1.0
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pull-progress IMAGE[:TAG]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := pull(ctx, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "pull-progress:", err)
		os.Exit(1)
	}
}

func pull(ctx context.Context, ref string) error {
	c, err := docker.NewFromEnv()
	if err != nil {
		return err
	}
	defer c.Close()
	image, tag := splitTag(ref)
	progress, err := v141.New(c).ImageCreate(ctx, v141.ImageCreateOptions{FromImage: image, Tag: tag})
	if err != nil {
		return err
	}
	bars := newBoard(os.Stdout)
	for msg, err := range progress.All() {
		if err != nil {
			return err
		}
		bars.update(msg)
	}
	return nil
}

// splitTag splits "host:5000/app:1.0" into "host:5000/app" and "1.0".
func splitTag(ref string) (string, string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, "latest"
	}
	return ref[:i], ref[i+1:]
}

// board keeps one line per layer and redraws them in place.
type board struct {
	out   *os.File
	ids   []string
	lines map[string]string
	drawn int
}

func newBoard(out *os.File) *board { return &board{out: out, lines: map[string]string{}} }

func (b *board) update(msg docker.JSONMessage) {
	if msg.ID == "" {
		b.redraw()
		fmt.Fprintln(b.out, msg.Status)
		b.drawn = 0
		return
	}
	if _, ok := b.lines[msg.ID]; !ok {
		b.ids = append(b.ids, msg.ID)
	}
	b.lines[msg.ID] = fmt.Sprintf("%s: %-22s %s", msg.ID, msg.Status, bar(msg.Progress))
	b.redraw()
}

func (b *board) redraw() {
	if b.drawn > 0 {
		fmt.Fprintf(b.out, "\033[%dA", b.drawn) // back to the first layer's line
	}
	for _, id := range b.ids {
		fmt.Fprintf(b.out, "\033[2K%s\n", b.lines[id])
	}
	b.drawn = len(b.ids)
}

func bar(p *docker.ProgressDetail) string {
	if p == nil || p.Total <= 0 {
		return ""
	}
	const width = 30
	done := int(p.Current * width / p.Total)
	done = min(max(done, 0), width)
	return fmt.Sprintf("[%s%s] %5.1f%%", strings.Repeat("=", done), strings.Repeat(" ", width-done), float64(p.Current)*100/float64(p.Total))
}
