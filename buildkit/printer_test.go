package buildkit

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A build as the daemon reports it: a cached step, one that prints and
// ends, one that fails; updates repeat a vertex only with what changed.
func printedBuild(p *Printer) {
	t0 := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	p.Update(&Status{Vertexes: []Vertex{
		{Digest: "a", Name: "[1/3] FROM busybox", Cached: true, Started: at(0), Completed: at(0)},
		{Digest: "b", Name: "[2/3] RUN make", Started: at(100)},
	}})
	p.Update(&Status{Logs: []VertexLog{{Vertex: "b", Stream: 1, Data: []byte("cc main.c\nlinking"), Timestamp: at(312)}}})
	p.Update(&Status{Logs: []VertexLog{{Vertex: "b", Stream: 1, Data: []byte(" app\n"), Timestamp: at(400)}}})
	p.Update(&Status{Vertexes: []Vertex{{Digest: "b", Name: "[2/3] RUN make", Started: at(100), Completed: at(1500)}}})
	p.Update(&Status{Vertexes: []Vertex{{Digest: "c", Name: "[3/3] RUN test", Started: at(1600)}}})
	p.Update(&Status{Logs: []VertexLog{{Vertex: "c", Stream: 2, Data: []byte("FAIL\t\x1b[31mred\x1b[0m \u009b2J"), Timestamp: at(1700)}}})
	p.Update(&Status{Warnings: []Warning{{Vertex: "c", Short: "FromAsCasing: 'as' and 'FROM'"}}})
	p.Update(&Status{Vertexes: []Vertex{{Digest: "c", Name: "[3/3] RUN test", Started: at(1600), Completed: at(1800), Error: "exit code: 1"}}})
	p.Done()
}

func TestPrinterPlain(t *testing.T) {
	var b bytes.Buffer
	printedBuild(NewPrinter(&b, nil))
	want := `#1 [1/3] FROM busybox
#2 [2/3] RUN make
#1 CACHED
#2 0.212 cc main.c
#2 0.300 linking app
#2 DONE 1.4s
#3 [3/3] RUN test
#3 WARNING: FromAsCasing: 'as' and 'FROM'
#3 FAIL	[31mred[0m 2J
#3 ERROR: exit code: 1
`
	if b.String() != want {
		t.Errorf("printed\n%q\nwant\n%q", b.String(), want)
	}
}

// screen replays what a Printer wrote on a minimal terminal (cursor up,
// erase line, erase below) and returns the lines left on it.
func screen(t *testing.T, out string) []string {
	t.Helper()
	var lines []string
	row := 0
	esc := regexp.MustCompile(`^\x1b\[(\d*)([AKJ])`)
	for len(out) > 0 {
		if m := esc.FindStringSubmatch(out); m != nil {
			switch m[2] {
			case "A":
				var n int
				fmt.Sscan(m[1], &n)
				row = max(row-n, 0)
			case "K":
				if row < len(lines) {
					lines[row] = ""
				}
			case "J":
				lines = lines[:min(row, len(lines))]
			}
			out = out[len(m[0]):]
			continue
		}
		if out[0] == 0x1b {
			t.Fatalf("an escape the terminal does not know: %q", out[:min(len(out), 10)])
		}
		i := strings.IndexByte(out, '\n')
		if i < 0 {
			t.Fatalf("output ends without a newline: %q", out)
		}
		for len(lines) <= row {
			lines = append(lines, "")
		}
		lines[row] += out[:i]
		row++
		out = out[i+1:]
	}
	return lines
}

func TestPrinterTerminal(t *testing.T) {
	var b bytes.Buffer
	printedBuild(NewPrinter(&b, &Terminal{Width: 40}))
	lines := screen(t, b.String())
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "[+] Building ") || !strings.HasSuffix(lines[0], "(3/3)") {
		t.Fatalf("the screen at the end:\n%s", strings.Join(lines, "\n"))
	}
	want := []string{" => CACHED [1/3] FROM busybox", " => [2/3] RUN make", " => ERROR [3/3] RUN test",
		" => => # FAIL [31mred[0m 2J", "WARNING: FromAsCasing: 'as' and 'FROM'"}
	for i, w := range want {
		if !strings.HasPrefix(lines[i+1], w) {
			t.Errorf("line %d = %q, want it to start %q", i+1, lines[i+1], w)
		}
	}
	if !strings.HasSuffix(lines[2], " 1.4s") || len([]rune(lines[2])) != 39 {
		t.Errorf("a step's line is %q; want its time at the right edge of 40 columns", lines[2])
	}
	if !strings.Contains(b.String(), "ERROR: [3/3] RUN test: exit code: 1\n") {
		t.Errorf("the failed step's error was not printed at the end")
	}
}

// A step's output lines go when it ends: nothing stale is left below.
func TestPrinterTerminalErasesWhatShrank(t *testing.T) {
	var b bytes.Buffer
	p := NewPrinter(&b, &Terminal{Width: 60})
	now := time.Now()
	p.Update(&Status{Vertexes: []Vertex{{Digest: "a", Name: "RUN x", Started: now}}})
	p.Update(&Status{Logs: []VertexLog{{Vertex: "a", Data: []byte("line1\nline2\nline3\nline4\n")}}})
	p.Update(&Status{Vertexes: []Vertex{{Digest: "a", Name: "RUN x", Started: now, Completed: now.Add(time.Second)}}})
	p.Done()
	lines := screen(t, b.String())
	if len(lines) != 2 || strings.Contains(strings.Join(lines, "\n"), "line") {
		t.Errorf("the screen at the end:\n%s", strings.Join(lines, "\n"))
	}
}

// While the build runs the drawing keeps to the terminal's height.
func TestPrinterTerminalHeight(t *testing.T) {
	var b bytes.Buffer
	p := NewPrinter(&b, &Terminal{Width: 60, Height: 10})
	now := time.Now()
	for i := 0; i < 30; i++ {
		p.Update(&Status{Vertexes: []Vertex{{Digest: fmt.Sprint(i), Name: fmt.Sprintf("step %d", i), Started: now}}})
		if n := len(screen(t, b.String())); n > 9 {
			t.Fatalf("after %d steps the drawing has %d lines on a terminal of 10", i+1, n)
		}
	}
	lines := screen(t, b.String())
	if !strings.Contains(lines[len(lines)-1], "step 29") {
		t.Errorf("the drawing does not end with the newest step: %q", lines)
	}
	p.Done()
	if n := len(screen(t, b.String())); n != 31 {
		t.Errorf("the final drawing has %d lines, want all 30 steps and the header", n)
	}
}

func TestFitCountsColumns(t *testing.T) {
	wide := strings.Repeat("漢", 60)
	got := fit(wide, "1.0s", 80)
	cols := 0
	for _, r := range got {
		cols += runeWidth(r)
	}
	if cols != 79 || !strings.HasSuffix(got, " 1.0s") {
		t.Errorf("fit of 60 wide runes at 80 columns: %d columns, %q", cols, got)
	}
	if got := fit("a\u0301b\tc", "", 80); got != "a\u0301b c" {
		t.Errorf("fit kept or lost the wrong runes: %q", got)
	}
}

// A hostile daemon naming endless vertexes, or logging for vertexes it
// never named, does not grow the Printer without bound.
func TestPrinterBounded(t *testing.T) {
	p := NewPrinter(&bytes.Buffer{}, nil)
	for i := 0; i < maxVertexes+100; i++ {
		d := fmt.Sprint(i)
		p.Update(&Status{Vertexes: []Vertex{{Digest: d, Name: "x", Cached: true}},
			Logs: []VertexLog{{Vertex: "unnamed" + d, Data: []byte("y\n")}}})
	}
	if len(p.steps) != maxVertexes || len(p.pending) != 0 {
		t.Errorf("%d steps (%d pending) after %d vertexes, want %d", len(p.steps), len(p.pending), maxVertexes+100, maxVertexes)
	}
}
