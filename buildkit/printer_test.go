package buildkit

import (
	"bytes"
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
	p.Update(&Status{Logs: []VertexLog{{Vertex: "c", Stream: 2, Data: []byte("FAIL \x1b[31mred\x1b[0m"), Timestamp: at(1700)}}})
	p.Update(&Status{Vertexes: []Vertex{{Digest: "c", Name: "[3/3] RUN test", Started: at(1600), Completed: at(1800), Error: "exit code: 1"}}})
	p.Done()
}

func TestPrinterPlain(t *testing.T) {
	var b bytes.Buffer
	printedBuild(NewPrinter(&b, false, 0))
	want := `#1 [1/3] FROM busybox
#2 [2/3] RUN make
#1 CACHED
#2 0.212 cc main.c
#2 0.300 linking app
#2 DONE 1.4s
#3 [3/3] RUN test
#3 FAIL ` + "\x1b[31mred\x1b[0m" + `
#3 ERROR: exit code: 1
`
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPrinterTTY(t *testing.T) {
	var b bytes.Buffer
	printedBuild(NewPrinter(&b, true, 40))
	out := b.String()
	// The last drawing, after the last cursor-up.
	ups := regexp.MustCompile(`\x1b\[\d+A`).FindAllStringIndex(out, -1)
	if len(ups) < 5 {
		t.Fatalf("%d redraws, want one per update", len(ups))
	}
	last := out[ups[len(ups)-1][1]:]
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(last, "\x1b[2K", ""), "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "[+] Building ") || !strings.HasSuffix(lines[0], "(3/3)") {
		t.Fatalf("last drawing:\n%s", strings.Join(lines, "\n"))
	}
	wantPrefix := []string{" => CACHED [1/3] FROM busybox", " => [2/3] RUN make", " => ERROR [3/3] RUN test", " => => # FAIL [31mred[0m"}
	for i, w := range wantPrefix {
		if !strings.HasPrefix(lines[i+1], w) {
			t.Errorf("line %d = %q, want it to start %q", i+1, lines[i+1], w)
		}
	}
	if !strings.HasSuffix(lines[2], " 1.4s") || len([]rune(lines[2])) != 39 {
		t.Errorf("a step's line is %q; want its time at the right edge of 40 columns", lines[2])
	}
	for _, l := range lines {
		if strings.ContainsRune(l, 0x1b) {
			t.Errorf("a step's output reached the terminal with its escapes: %q", l)
		}
	}
}
