package buildkit

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Printer shows a build's progress as `docker buildx build` does. Plain,
// it prints one line per event, each prefixed with its step's number:
//
//	#4 [2/3] RUN make
//	#4 0.212 cc -o app main.c
//	#4 DONE 1.4s
//
// On a terminal, it redraws one line per step in place, with the last
// lines of the steps that run, and prints the warnings and errors at the
// end. Pass its Update as Config.Progress, and call Done once the build
// ends. What the build prints reaches the output without its control
// characters (tabs kept), so that a step cannot move the cursor or retitle
// the terminal.
type Printer struct {
	w    io.Writer
	term *Terminal

	mu       sync.Mutex
	start    time.Time
	steps    []*shownStep
	byDigest map[string]*shownStep
	pending  []*shownStep // plain: announced or not, not yet reported ended
	warnings []string
	drawn    int // lines drawn by the last redraw
}

// Terminal is the size, in columns and lines, of the terminal a Printer
// redraws on.
type Terminal struct {
	Width, Height int // 80 and 24 when 0
}

type shownStep struct {
	n        int
	v        Vertex
	announce bool     // plain: its name was printed
	tail     []string // terminal: its last lines
	partial  []byte
}

// NewPrinter returns a Printer writing to w: plain lines when term is nil,
// the redrawn display on a terminal of term's size otherwise.
func NewPrinter(w io.Writer, term *Terminal) *Printer {
	if term != nil {
		t := *term
		if t.Width <= 0 {
			t.Width = 80
		}
		if t.Height <= 0 {
			t.Height = 24
		}
		term = &t
	}
	return &Printer{w: w, term: term, start: time.Now(), byDigest: map[string]*shownStep{}}
}

// Update shows one progress update.
func (p *Printer) Update(st *Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out bytes.Buffer
	for _, v := range st.Vertexes {
		s := p.step(v.Digest)
		if s == nil {
			continue
		}
		if v.Started.IsZero() {
			v.Started = s.v.Started // updates repeat only what changed
		}
		v.Name = clean(truncate(v.Name, maxLineLen))
		v.Error = clean(truncate(v.Error, 8*maxLineLen))
		s.v = v
		if p.term == nil && !s.announce && (!v.Started.IsZero() || v.Cached) {
			s.announce = true
			fmt.Fprintf(&out, "#%d %s\n", s.n, v.Name)
		}
	}
	for _, l := range st.Logs {
		s := p.byDigest[l.Vertex] // a log of a vertex never named is dropped
		if s == nil {
			continue
		}
		lines := splitLines(&s.partial, l.Data)
		if p.term != nil {
			s.addTail(lines)
			continue
		}
		at := 0.0
		if !s.v.Started.IsZero() && !l.Timestamp.IsZero() {
			at = l.Timestamp.Sub(s.v.Started).Seconds()
		}
		for _, line := range lines {
			fmt.Fprintf(&out, "#%d %.3f %s\n", s.n, at, clean(line))
		}
	}
	for _, w := range st.Warnings {
		msg := "WARNING: " + clean(truncate(w.Short, maxLineLen))
		if s := p.byDigest[w.Vertex]; s != nil && p.term == nil {
			msg = fmt.Sprintf("#%d %s", s.n, msg)
		}
		if p.term == nil {
			out.WriteString(msg + "\n")
		} else if len(p.warnings) < keepLines {
			p.warnings = append(p.warnings, msg)
		}
	}
	if p.term != nil {
		p.redraw(&out, false)
	} else {
		p.reportEnds(&out)
	}
	p.w.Write(out.Bytes())
}

// Done shows the final state: on a terminal every step, then the warnings
// and the errors; plain, an unfinished last line of output.
func (p *Printer) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out bytes.Buffer
	if p.term != nil {
		p.redraw(&out, true)
		for _, w := range p.warnings {
			out.WriteString(fit(w, "", p.term.Width) + "\n")
		}
		for _, s := range p.steps {
			if s.v.Error != "" {
				fmt.Fprintf(&out, "ERROR: %s: %s\n", s.v.Name, s.v.Error)
			}
		}
	} else {
		for _, s := range p.steps {
			if len(s.partial) > 0 {
				fmt.Fprintf(&out, "#%d %s\n", s.n, clean(string(s.partial)))
				s.partial = nil
			}
		}
	}
	p.w.Write(out.Bytes())
}

// step returns the step of a vertex, new ones numbered in order of
// appearance; nil past maxVertexes, so that a hostile daemon cannot grow
// the display without bound.
func (p *Printer) step(digest string) *shownStep {
	s, ok := p.byDigest[digest]
	if !ok {
		if len(p.steps) >= maxVertexes {
			return nil
		}
		s = &shownStep{n: len(p.steps) + 1}
		p.byDigest[digest] = s
		p.steps = append(p.steps, s)
		p.pending = append(p.pending, s)
	}
	return s
}

// reportEnds prints the end of the steps that ended (plain).
func (p *Printer) reportEnds(out *bytes.Buffer) {
	left := p.pending[:0]
	for _, s := range p.pending {
		if !s.v.Done() && !s.v.Cached {
			left = append(left, s)
			continue
		}
		if !s.announce {
			s.announce = true
			fmt.Fprintf(out, "#%d %s\n", s.n, s.v.Name)
		}
		if len(s.partial) > 0 {
			fmt.Fprintf(out, "#%d %s\n", s.n, clean(string(s.partial)))
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
	clear(p.pending[len(left):])
	p.pending = left
}

// tailLines is how many lines of a running step the terminal display shows.
const tailLines = 6

func (s *shownStep) addTail(lines []string) {
	s.tail = append(s.tail, lines...)
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

// redraw moves the cursor up over the last drawing, draws every step
// again, one line each, and clears what the last drawing had below. While
// the build runs the drawing keeps to the terminal's height (the newest
// lines); the final one (all) may scroll.
func (p *Printer) redraw(out *bytes.Buffer, final bool) {
	if p.drawn > 0 {
		fmt.Fprintf(out, "\x1b[%dA", p.drawn)
	}
	done := 0
	for _, s := range p.steps {
		if s.v.Done() || s.v.Cached {
			done++
		}
	}
	header := fit(fmt.Sprintf("[+] Building %.1fs (%d/%d)", time.Since(p.start).Seconds(), done, len(p.steps)), "", p.term.Width)
	var lines []string
	for _, s := range p.steps {
		if s.v.Started.IsZero() && !s.v.Cached {
			continue // not begun: buildx does not show it either
		}
		state := ""
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
		took := fmt.Sprintf("%.1fs", end.Sub(s.v.Started).Seconds())
		if s.v.Cached {
			took = "0.0s"
		}
		lines = append(lines, fit(" => "+state+s.v.Name, took, p.term.Width))
		if !s.v.Done() || s.v.Error != "" {
			tail := s.tail
			if len(s.partial) > 0 { // a line still being written
				tail = append(append([]string(nil), s.tail...), string(s.partial))
			}
			for _, t := range tail[max(len(tail)-tailLines, 0):] {
				lines = append(lines, fit(" => => # "+t, "", p.term.Width))
			}
		}
	}
	if room := p.term.Height - 2; !final && len(lines) > room {
		lines = lines[len(lines)-max(room, 0):]
	}
	lines = append([]string{header}, lines...)
	for _, l := range lines {
		out.WriteString("\x1b[2K")
		out.WriteString(l)
		out.WriteByte('\n')
	}
	out.WriteString("\x1b[J")
	p.drawn = len(lines)
}

// clean drops control characters (C0, DEL, C1) but tabs.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return r
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return -1
		}
		return r
	}, s)
}

// fit makes one line of at most width-1 columns (a full line would make
// some terminals wrap): text cut to leave room for right, aligned to the
// end. Tabs become spaces, so that columns can be counted.
func fit(text, right string, width int) string {
	text = strings.ReplaceAll(clean(text), "\t", " ")
	room := width - len(right) - 2
	if room < 1 {
		room = 1
	}
	var b strings.Builder
	cols := 0
	for _, r := range text {
		w := runeWidth(r)
		if cols+w > room {
			break
		}
		b.WriteRune(r)
		cols += w
	}
	if right == "" {
		return b.String()
	}
	return b.String() + strings.Repeat(" ", room-cols+1) + right
}

// runeWidth is the columns a terminal gives r: 2 for the wide scripts and
// emoji, 0 for combining marks, 1 otherwise. An approximation of Unicode's
// East Asian Width that needs no tables.
func runeWidth(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0x200b:
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60,
		r >= 0xffe0 && r <= 0xffe6, r >= 0x1f300 && r <= 0x1f64f, r >= 0x1f900 && r <= 0x1f9ff,
		r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}
