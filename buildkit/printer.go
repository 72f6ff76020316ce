package buildkit

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Printer shows a build's progress as `docker buildx build` does. Plain,
// it prints one line per event, each prefixed with its step's number:
//
//	#4 [2/3] RUN make
//	#4 0.212 cc -o app main.c
//	#4 DONE 1.4s
//
// On a terminal (tty), it redraws one line per step in place, with the
// last lines of the steps that run. Pass its Update as Config.Progress,
// and call Done once the build ends.
type Printer struct {
	w     io.Writer
	tty   bool
	width int

	mu       sync.Mutex
	start    time.Time
	steps    []*shownStep
	byDigest map[string]*shownStep
	drawn    int // lines drawn by the last redraw
}

type shownStep struct {
	n        int
	v        Vertex
	announce bool     // plain: its name was printed
	reported bool     // plain: its end was printed
	tail     []string // tty: its last lines
	partial  []byte
}

// NewPrinter returns a Printer writing to w; tty chooses the redrawn
// display, which needs a terminal of width columns (80 when 0).
func NewPrinter(w io.Writer, tty bool, width int) *Printer {
	if width <= 0 {
		width = 80
	}
	return &Printer{w: w, tty: tty, width: width, start: time.Now(), byDigest: map[string]*shownStep{}}
}

// Update shows one progress update.
func (p *Printer) Update(st *Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out bytes.Buffer
	for _, v := range st.Vertexes {
		s := p.step(v.Digest)
		if v.Started.IsZero() {
			v.Started = s.v.Started // updates repeat only what changed
		}
		s.v = v
		if !p.tty && !s.announce && (!v.Started.IsZero() || v.Cached) {
			s.announce = true
			fmt.Fprintf(&out, "#%d %s\n", s.n, v.Name)
		}
	}
	for _, l := range st.Logs {
		s := p.step(l.Vertex)
		if p.tty {
			s.addTail(l.Data)
			continue
		}
		at := 0.0
		if !s.v.Started.IsZero() && !l.Timestamp.IsZero() {
			at = l.Timestamp.Sub(s.v.Started).Seconds()
		}
		for _, line := range splitLines(&s.partial, l.Data) {
			fmt.Fprintf(&out, "#%d %.3f %s\n", s.n, at, line)
		}
	}
	for _, w := range st.Warnings {
		if !p.tty {
			fmt.Fprintf(&out, "#%d WARNING: %s\n", p.step(w.Vertex).n, w.Short)
		}
	}
	if p.tty {
		p.redraw(&out)
	} else {
		for _, s := range p.steps {
			p.reportEnd(&out, s)
		}
	}
	p.w.Write(out.Bytes())
}

// Done shows the final state: every step's end, and an unfinished last
// line of output.
func (p *Printer) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out bytes.Buffer
	if p.tty {
		p.redraw(&out)
	} else {
		for _, s := range p.steps {
			if len(s.partial) > 0 {
				fmt.Fprintf(&out, "#%d %s\n", s.n, s.partial)
				s.partial = nil
			}
		}
	}
	p.w.Write(out.Bytes())
}

func (p *Printer) step(digest string) *shownStep {
	s, ok := p.byDigest[digest]
	if !ok {
		s = &shownStep{n: len(p.steps) + 1}
		p.byDigest[digest] = s
		p.steps = append(p.steps, s)
	}
	return s
}

func (p *Printer) reportEnd(out *bytes.Buffer, s *shownStep) {
	if s.reported || (!s.v.Done() && !s.v.Cached) {
		return
	}
	if !s.announce {
		s.announce = true
		fmt.Fprintf(out, "#%d %s\n", s.n, s.v.Name)
	}
	s.reported = true
	if len(s.partial) > 0 {
		fmt.Fprintf(out, "#%d %s\n", s.n, s.partial)
		s.partial = nil
	}
	switch {
	case s.v.Error != "":
		fmt.Fprintf(out, "#%d ERROR: %s\n", s.n, s.v.Error)
	case s.v.Cached:
		fmt.Fprintf(out, "#%d CACHED\n", s.n)
	default:
		fmt.Fprintf(out, "#%d DONE %.1fs\n", s.n, s.v.Completed.Sub(s.v.Started).Seconds())
	}
}

// tailLines is how many lines of a running step the tty display shows.
const tailLines = 6

func (s *shownStep) addTail(data []byte) {
	s.tail = append(s.tail, splitLines(&s.partial, data)...)
	if len(s.tail) > tailLines {
		s.tail = s.tail[len(s.tail)-tailLines:]
	}
}

// splitLines returns the complete lines of partial+data and keeps the
// rest in partial (bounded, as a line without end could be anything).
func splitLines(partial *[]byte, data []byte) []string {
	var lines []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			*partial = append(*partial, data[:min(len(data), max(maxLineLen-len(*partial), 0))]...)
			break
		}
		*partial = append(*partial, data[:min(i, max(maxLineLen-len(*partial), 0))]...)
		lines = append(lines, strings.TrimRight(string(*partial), "\r"))
		*partial = (*partial)[:0]
		data = data[i+1:]
	}
	return lines
}

// redraw moves the cursor up over the last drawing and draws every step
// again, one line each, clearing what was there.
func (p *Printer) redraw(out *bytes.Buffer) {
	if p.drawn > 0 {
		fmt.Fprintf(out, "\x1b[%dA", p.drawn)
	}
	done := 0
	for _, s := range p.steps {
		if s.v.Done() || s.v.Cached {
			done++
		}
	}
	lines := []string{fmt.Sprintf("[+] Building %.1fs (%d/%d)", time.Since(p.start).Seconds(), done, len(p.steps))}
	for _, s := range p.steps {
		if s.v.Started.IsZero() && !s.v.Cached {
			continue // not begun: buildx does not show it either
		}
		state, took := "", ""
		switch {
		case s.v.Error != "":
			state = "ERROR "
		case s.v.Cached:
			state = "CACHED "
		}
		end := s.v.Completed
		if end.IsZero() {
			end = time.Now()
		}
		took = fmt.Sprintf("%.1fs", end.Sub(s.v.Started).Seconds())
		if s.v.Cached {
			took = "0.0s"
		}
		lines = append(lines, fit(" => "+state+s.v.Name, took, p.width))
		if !s.v.Done() || s.v.Error != "" {
			tail := s.tail
			if len(s.partial) > 0 { // a line still being written
				tail = append(append([]string(nil), s.tail...), string(s.partial))
			}
			for _, t := range tail[max(len(tail)-tailLines, 0):] {
				lines = append(lines, fit(" => => # "+t, "", p.width))
			}
		}
	}
	for _, l := range lines {
		out.WriteString("\x1b[2K")
		out.WriteString(l)
		out.WriteByte('\n')
	}
	p.drawn = len(lines)
}

// fit makes one line of width-1 columns (a full line would make some
// terminals wrap): text cut to leave room for right, aligned to the end. Control characters are dropped so
// that a step's output cannot move the cursor.
func fit(text, right string, width int) string {
	text = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, text)
	room := width - len(right) - 2
	if room < 1 {
		room = 1
	}
	r := []rune(text)
	if len(r) > room {
		r = r[:room]
	}
	if right == "" {
		return string(r)
	}
	return string(r) + strings.Repeat(" ", room-len(r)+1) + right
}
