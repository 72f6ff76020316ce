// Command compare runs the SDK, the official client
// (github.com/moby/moby/client) and a plain net/http + encoding/json floor
// against the same daemon in interleaved rounds (sdk, official, floor,
// repeated) and writes a markdown report: typed calls, streams,
// concurrency, a typed call answered with 1 GiB of garbage, footprint, and
// the goals of the benchmark issue.
//
//	cd bench && go run ./cmd/compare -name G -out results-raw/compare.md
//
// It needs DOCKER_HOST (default: the repository's private test daemon) with
// busybox:latest (go run ./internal/cmd/seedimage). Every container it
// creates carries the label dockersdk.bench and is removed at the end (and
// at the start of the next run, should one be left).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dockerclient/docker/bench"
)

var (
	host         = flag.String("host", bench.DefaultHost(), "daemon address (unix://)")
	out          = flag.String("out", "", "also write the markdown report to this file")
	rounds       = flag.Int("rounds", 5, "rounds of the typed calls and of the stub stream")
	streamRounds = flag.Int("stream-rounds", 3, "rounds of the daemon streams (logs, attach)")
	concRounds   = flag.Int("conc-rounds", 3, "rounds of the concurrency run")
	opTime       = flag.Duration("op-time", time.Second, "time each client spends on each typed call per round")
	nContainers  = flag.Int("containers", 50, "stopped containers present for ContainerList and ContainerInspect")
	logsMiB      = flag.Int64("logs-mib", 512, "MiB of container logs read per client per round (0 skips)")
	attachMiB    = flag.Int64("attach-mib", 256, "MiB read from an attached container per client per round (0 skips)")
	stubMiB      = flag.Int64("stub-mib", 512, "MiB of log stream the stub server sends per client per round (0 skips)")
	lineLen      = flag.Int("line", 1024, "bytes per log line (so per multiplexed frame), newline included")
	workers      = flag.Int("conc", 64, "goroutines of the concurrency run")
	concTime     = flag.Duration("conc-time", 10*time.Second, "duration of each client's concurrency run")
	footprint    = flag.Bool("footprint", true, "build the footprint programs (sizes, packages, cold builds)")
	sdkBuild     = flag.Bool("sdk-build", true, "time a cold `go build ./...` of the whole SDK on 2 cores")
	listLabel    = flag.String("list-label", bench.Label, "label filter ContainerList sends with all=true, so only the run's containers are listed (\"\" lists everything on the daemon)")
	only         = flag.String("only", "", "comma-separated sections to run: typed,streams,conc,garbage,footprint (default all)")
	runName      = flag.String("name", "", "name of the run, printed in the report's headings (e.g. G)")
	garbRounds   = flag.Int("garbage-rounds", 3, "fresh child processes per client for the 1 GiB garbage answer")

	serveStub = flag.String("serve-stub", "", "internal: serve the stub on this unix socket and do nothing else")
	stubBytes = flag.Int64("stub-bytes", 0, "internal: stub payload bytes")
	stubFrame = flag.Int("stub-frame", 1024, "internal: stub frame size")

	garbChild = flag.String("garbage-child", "", "internal: make one ContainerInspect with this client against -garbage-host, print what it cost as JSON")
	garbHost  = flag.String("garbage-host", "", "internal: the garbage stub's unix:// address")
)

func main() {
	flag.Parse()
	if *serveStub != "" {
		if err := bench.ServeStub(*serveStub, *stubBytes, *stubFrame); err != nil {
			fmt.Fprintln(os.Stderr, "stub:", err)
			os.Exit(1)
		}
		return
	}
	if *garbChild != "" {
		if err := garbageChild(*garbChild, *garbHost); err != nil {
			fmt.Fprintln(os.Stderr, "garbage child:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func want(section string) bool {
	if *only == "" {
		return true
	}
	for _, s := range strings.Split(*only, ",") {
		if s == section {
			return true
		}
	}
	return false
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "compare: "+format+"\n", args...)
}

// report is the markdown being written, plus the figures the goals need.
type report struct {
	md    bytes.Buffer
	goals []goal
}

type goal struct {
	name, measured, verdict string
}

func (r *report) printf(format string, args ...any) { fmt.Fprintf(&r.md, format, args...) }

func (r *report) goal(name, measured string, met bool) {
	v := "not met"
	if met {
		v = "met"
	}
	r.goals = append(r.goals, goal{name, measured, v})
}

// info is a row of the goals table that is shown beside the goals but is
// not one.
func (r *report) info(name, measured string) {
	r.goals = append(r.goals, goal{name, measured, "information, no goal"})
}

// runTitle is " G" for -name G, or "".
func runTitle() string {
	if *runName == "" {
		return ""
	}
	return " " + *runName
}

func run() error {
	bench.ListLabel = *listLabel
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	start := time.Now()
	r := &report{}

	// The stub stream, the garbage answer and the footprint need no daemon.
	var fx *bench.Fixture
	if want("typed") || want("conc") || want("streams") && (*logsMiB > 0 || *attachMiB > 0) {
		var err error
		if fx, err = bench.NewFixture(ctx, *host); err != nil {
			return err
		}
		defer func() {
			logf("removing the benchmark containers")
			if err := fx.Close(); err != nil {
				logf("cleanup: %v", err)
			}
		}()
	}
	if err := environment(ctx, r, fx); err != nil {
		return err
	}

	if want("typed") {
		logf("creating %d stopped containers", *nContainers)
		if err := fx.CreateStopped(ctx, *nContainers); err != nil {
			return err
		}
		t0 := time.Now()
		if err := typed(ctx, r, fx); err != nil {
			return err
		}
		r.printf("\n(Typed calls took %s; load average after: %s.)\n", time.Since(t0).Round(time.Second), loadavg())
	}
	if want("streams") {
		t0 := time.Now()
		if err := streams(ctx, r, fx); err != nil {
			return err
		}
		r.printf("\n(Streams took %s, writing the logs included; load average after: %s.)\n", time.Since(t0).Round(time.Second), loadavg())
	}
	if want("conc") {
		if fx.Inspect == "" {
			if err := fx.CreateStopped(ctx, 1); err != nil {
				return err
			}
		}
		t0 := time.Now()
		if err := concurrency(ctx, r, fx); err != nil {
			return err
		}
		r.printf("\n(Concurrency took %s; load average after: %s.)\n", time.Since(t0).Round(time.Second), loadavg())
	}
	if want("garbage") && *garbRounds > 0 {
		t0 := time.Now()
		if err := garbage(ctx, r); err != nil {
			return err
		}
		r.printf("\n(The garbage answers took %s; load average after: %s.)\n", time.Since(t0).Round(time.Second), loadavg())
	}
	if want("footprint") && *footprint {
		t0 := time.Now()
		if err := footprints(ctx, r); err != nil {
			return err
		}
		r.printf("\n(Footprint took %s.)\n", time.Since(t0).Round(time.Second))
	}

	r.printf("\n## Goals of run%s (ratios from this run)\n\n| goal | measured | verdict |\n|---|---|---|\n", runTitle())
	for _, g := range r.goals {
		r.printf("| %s | %s | **%s** |\n", g.name, g.measured, g.verdict)
	}
	r.printf("\nTotal run time: %s.\n", time.Since(start).Round(time.Second))

	os.Stdout.Write(r.md.Bytes())
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(*out, r.md.Bytes(), 0o644)
	}
	return nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func environment(ctx context.Context, r *report, fx *bench.Fixture) error {
	daemon := "none (only sections that need no daemon)"
	if fx != nil {
		v, err := fx.Setup().API().SystemVersion(ctx)
		if err != nil {
			return err
		}
		daemon = fmt.Sprintf("dockerd %s (API %s, minimum %s) at %s", v.Version, v.APIVersion, v.MinAPIVersion, *host)
	}
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, val, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(val)
				break
			}
		}
	}
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), "%d", &kb)
				mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	r.printf("# Benchmark run%s\n\n", runTitle())
	r.printf("- date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	r.printf("- machine: %d CPUs (%s), %s RAM, %s\n", runtime.NumCPU(), cpu, mem, runtime.GOOS+"/"+runtime.GOARCH)
	r.printf("- daemon: %s\n", daemon)
	r.printf("- Go: %s; official client: github.com/moby/moby/client v0.6.2\n", runtime.Version())
	r.printf("- load average at start: %s\n", loadavg())
	r.printf("- flags: rounds=%d stream-rounds=%d conc-rounds=%d op-time=%s containers=%d logs-mib=%d attach-mib=%d stub-mib=%d line=%d conc=%d conc-time=%s garbage-rounds=%d only=%q\n",
		*rounds, *streamRounds, *concRounds, *opTime, *nContainers, *logsMiB, *attachMiB, *stubMiB, *lineLen, *workers, *concTime, *garbRounds, *only)
	return nil
}

func clients() (map[string]bench.Client, error) {
	m := map[string]bench.Client{}
	for _, k := range bench.Kinds {
		c, err := bench.New(k, *host)
		if err != nil {
			return nil, err
		}
		m[k] = c
	}
	return m, nil
}

// ---------------------------------------------------------------- typed calls

type typedCall struct {
	name string
	call func(ctx context.Context, c bench.Client) (int, error)
}

func typedCalls(fx *bench.Fixture) []typedCall {
	return []typedCall{
		{"Ping", func(ctx context.Context, c bench.Client) (int, error) { return 0, c.Ping(ctx) }},
		{"ContainerList (all)", func(ctx context.Context, c bench.Client) (int, error) { return c.ContainerList(ctx) }},
		{"ContainerInspect", func(ctx context.Context, c bench.Client) (int, error) { return 0, c.ContainerInspect(ctx, fx.Inspect) }},
		{"ImageList", func(ctx context.Context, c bench.Client) (int, error) { return c.ImageList(ctx) }},
	}
}

type series struct {
	ns, cpu, allocs, bytes, ops []float64
}

func (s *series) add(smp bench.Sample, n int) {
	s.ns = append(s.ns, float64(smp.Wall.Nanoseconds())/float64(n))
	s.cpu = append(s.cpu, float64(smp.CPU.Nanoseconds())/float64(n))
	s.allocs = append(s.allocs, float64(smp.Allocs)/float64(n))
	s.bytes = append(s.bytes, float64(smp.Bytes)/float64(n))
	s.ops = append(s.ops, float64(n))
}

func typed(ctx context.Context, r *report, fx *bench.Fixture) error {
	cs, err := clients()
	if err != nil {
		return err
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	calls := typedCalls(fx)
	res := map[string]map[string]*series{}
	listed := map[int]bool{}
	for _, tc := range calls {
		res[tc.name] = map[string]*series{}
		for _, k := range bench.Kinds {
			res[tc.name][k] = &series{}
			for i := 0; i < 5; i++ { // connect, negotiate, warm up
				if _, err := tc.call(ctx, cs[k]); err != nil {
					return fmt.Errorf("%s %s: %w", k, tc.name, err)
				}
			}
		}
	}
	for round := 0; round < *rounds; round++ {
		logf("typed calls: round %d/%d", round+1, *rounds)
		for _, tc := range calls {
			for _, k := range bench.Kinds {
				c := cs[k]
				for i := 0; i < 3; i++ {
					if _, err := tc.call(ctx, c); err != nil {
						return err
					}
				}
				n := 0
				m := bench.Start()
				for t0 := time.Now(); n < 50 || time.Since(t0) < *opTime; n++ {
					cnt, err := tc.call(ctx, c)
					if err != nil {
						return fmt.Errorf("%s %s: %w", k, tc.name, err)
					}
					if tc.name == "ContainerList (all)" {
						listed[cnt] = true
					}
				}
				res[tc.name][k].add(m.Stop(), n)
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
	}
	var counts []int
	for n := range listed {
		counts = append(counts, n)
	}
	sort.Ints(counts)

	r.printf("\n## Typed calls\n\nMedian (min..max) of %d interleaved rounds; in each round every client makes each call for at least %s (and 50 times) "+
		"on one warm connection. CPU is the whole process's user+system time (getrusage) divided by calls; allocs and bytes are "+
		"runtime.MemStats deltas (as `go test -benchmem`). ContainerList returned %v containers "+
		"(all=true, label filter %q; %d containers created for the run).\n\n", *rounds, *opTime, counts, *listLabel, *nContainers)
	r.printf("| call | client | µs/op (wall) | CPU µs/op | allocs/op | B/op | calls/round |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, tc := range calls {
		for _, k := range bench.Kinds {
			s := res[tc.name][k]
			r.printf("| %s | %s | %s | %s | %s | %s | %s |\n", tc.name, k,
				scale(s.ns, 1e-3).Format("%.0f"), scale(s.cpu, 1e-3).Format("%.0f"),
				bench.Summarise(s.allocs).Format("%.0f"), bench.Summarise(s.bytes).Format("%.0f"),
				bench.Summarise(s.ops).Format("%.0f"))
		}
	}
	r.printf("\nRatios of medians, SDK / official (and SDK / floor):\n\n| call | CPU/op | allocs/op | B/op | wall/op |\n|---|---:|---:|---:|---:|\n")
	cpuOK, allocOK := true, true
	cpuMet, allocMet := 0, 0
	var cpuR, allocR []string
	for _, tc := range calls {
		s, o, f := res[tc.name]["sdk"], res[tc.name]["official"], res[tc.name]["floor"]
		rc := ratio(s.cpu, o.cpu)
		ra := ratio(s.allocs, o.allocs)
		r.printf("| %s | %.2fx (%.2fx) | %.2fx (%.2fx) | %.2fx (%.2fx) | %.2fx (%.2fx) |\n", tc.name,
			rc, ratio(s.cpu, f.cpu), ra, ratio(s.allocs, f.allocs),
			ratio(s.bytes, o.bytes), ratio(s.bytes, f.bytes), ratio(s.ns, o.ns), ratio(s.ns, f.ns))
		cpuOK = cpuOK && rc <= 0.8
		allocOK = allocOK && ra <= 1.0
		if rc <= 0.8 {
			cpuMet++
		}
		if ra <= 1.0 {
			allocMet++
		}
		cpuR = append(cpuR, fmt.Sprintf("%s %.2fx", tc.name, rc))
		allocR = append(allocR, fmt.Sprintf("%s %.2fx", tc.name, ra))
	}
	r.goal("typed calls: SDK CPU/op ≤ 0.8x official", fmt.Sprintf("%s (met by %d of %d calls)", strings.Join(cpuR, ", "), cpuMet, len(calls)), cpuOK)
	r.goal("typed calls: SDK allocs/op ≤ 1.0x official", fmt.Sprintf("%s (met by %d of %d calls)", strings.Join(allocR, ", "), allocMet, len(calls)), allocOK)
	return nil
}

func scale(v []float64, f float64) bench.Stats {
	s := bench.Summarise(v)
	return bench.Stats{Median: s.Median * f, Min: s.Min * f, Max: s.Max * f}
}

func ratio(a, b []float64) float64 { return bench.Summarise(a).Median / bench.Summarise(b).Median }

// ---------------------------------------------------------------- streams

type streamSeries struct {
	mibps, cpuGiB, allocs, bytes []float64
}

func (s *streamSeries) add(smp bench.Sample, payload int64) {
	gib := float64(payload) / (1 << 30)
	s.mibps = append(s.mibps, float64(payload)/(1<<20)/smp.Wall.Seconds())
	s.cpuGiB = append(s.cpuGiB, float64(smp.CPU.Nanoseconds())/1e6/gib)
	s.allocs = append(s.allocs, float64(smp.Allocs))
	s.bytes = append(s.bytes, float64(smp.Bytes))
}

func startStub(ctx context.Context) (sockHost string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "dsdkbench-stub")
	if err != nil {
		return "", nil, err
	}
	sock := filepath.Join(dir, "stub.sock")
	cmd := exec.CommandContext(ctx, os.Args[0], bench.StubArgs(sock, *stubMiB<<20, *lineLen)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	for t0 := time.Now(); time.Since(t0) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			return "unix://" + sock, stop, nil
		}
	}
	stop()
	return "", nil, errors.New("the stub server did not start")
}

func streams(ctx context.Context, r *report, fx *bench.Fixture) error {
	type row struct {
		name    string
		payload int64
		rounds  int
		goal    bool // false: shown beside the goals, but not one
		res     map[string]*streamSeries
	}
	var rows []*row
	newRow := func(name string, payload int64, n int, goal bool) *row {
		rw := &row{name: name, payload: payload, rounds: n, goal: goal, res: map[string]*streamSeries{}}
		for _, k := range bench.Kinds {
			rw.res[k] = &streamSeries{}
		}
		rows = append(rows, rw)
		return rw
	}

	if *logsMiB > 0 {
		logf("writing %d MiB of logs in a container", *logsMiB)
		t0 := time.Now()
		if err := fx.MakeLogs(ctx, *logsMiB<<20, *lineLen); err != nil {
			return err
		}
		logf("logs written in %s", time.Since(t0).Round(time.Millisecond))
		rw := newRow(fmt.Sprintf("ContainerLogs, %d MiB from dockerd", *logsMiB), fx.LogsBytes, *streamRounds, true)
		cs, err := clients()
		if err != nil {
			return err
		}
		for round := 0; round < *streamRounds; round++ {
			logf("logs: round %d/%d", round+1, *streamRounds)
			for _, k := range bench.Kinds {
				if err := cs[k].Ping(ctx); err != nil {
					return err
				}
				var w bench.CountingWriter
				m := bench.Start()
				err := cs[k].Logs(ctx, fx.LogsID, &w)
				smp := m.Stop()
				if err != nil {
					return fmt.Errorf("%s logs: %w", k, err)
				}
				if w.N < fx.LogsBytes {
					return fmt.Errorf("%s logs: %d bytes, want %d", k, w.N, fx.LogsBytes)
				}
				rw.res[k].add(smp, fx.LogsBytes)
			}
		}
		for _, c := range cs {
			c.Close()
		}
		// The log file is large: free the disk now.
		if err := fx.Remove(ctx, fx.LogsID); err != nil {
			return err
		}
	}

	if *stubMiB > 0 {
		stubHost, stop, err := startStub(ctx)
		if err != nil {
			return err
		}
		defer stop()
		rw := newRow(fmt.Sprintf("ContainerLogs, %d MiB from a stub server (client ceiling)", *stubMiB), *stubMiB<<20, *rounds, false)
		cs := map[string]bench.Client{}
		for _, k := range bench.Kinds {
			c, err := bench.New(k, stubHost)
			if err != nil {
				return err
			}
			defer c.Close()
			cs[k] = c
		}
		for round := 0; round < *rounds; round++ {
			logf("stub stream: round %d/%d", round+1, *rounds)
			for _, k := range bench.Kinds {
				if err := cs[k].Ping(ctx); err != nil {
					return err
				}
				var w bench.CountingWriter
				m := bench.Start()
				err := cs[k].Logs(ctx, "stub", &w)
				smp := m.Stop()
				if err != nil {
					return fmt.Errorf("%s stub logs: %w", k, err)
				}
				if w.N < *stubMiB<<20 {
					return fmt.Errorf("%s stub logs: %d bytes", k, w.N)
				}
				rw.res[k].add(smp, *stubMiB<<20)
			}
		}
	}

	if *attachMiB > 0 {
		n := *attachMiB << 20
		rw := newRow(fmt.Sprintf("ContainerAttach, %d MiB from a running container", *attachMiB), n, *streamRounds, true)
		cs, err := clients()
		if err != nil {
			return err
		}
		for round := 0; round < *streamRounds; round++ {
			logf("attach: round %d/%d", round+1, *streamRounds)
			for _, k := range bench.Kinds {
				if err := cs[k].Ping(ctx); err != nil {
					return err
				}
				id, startFn, err := fx.AttachTarget(ctx, n, *lineLen, fmt.Sprintf("%s-%d", k, round))
				if err != nil {
					return err
				}
				var w bench.CountingWriter
				m := bench.Start()
				err = cs[k].Attach(ctx, id, startFn, &w)
				smp := m.Stop()
				if rerr := fx.Remove(ctx, id); rerr != nil && err == nil {
					err = rerr
				}
				if err != nil {
					return fmt.Errorf("%s attach: %w", k, err)
				}
				if w.N < n {
					return fmt.Errorf("%s attach: %d bytes, want %d", k, w.N, n)
				}
				rw.res[k].add(smp, n)
			}
		}
		for _, c := range cs {
			c.Close()
		}
	}

	r.printf("\n## Streams\n\nNon-TTY output (%d-byte lines, so %d-byte frames) demultiplexed into a discarding writer: the SDK with "+
		"`Output.Demux`, the official client with `stdcopy.StdCopy`, the floor reads the body raw (no demux). MiB/s counts payload; "+
		"CPU is the whole process per GiB of payload. The stub server runs in a child process (its CPU is not counted) and sends the "+
		"same frames from memory. Attach time includes the ContainerStart call (made by the setup client) and the container's own "+
		"start-up.\n\n", *lineLen, *lineLen)
	r.printf("| stream | client | MiB/s | CPU ms/GiB | allocs/stream | KiB allocated/stream |\n|---|---|---:|---:|---:|---:|\n")
	for _, rw := range rows {
		for _, k := range bench.Kinds {
			s := rw.res[k]
			r.printf("| %s (%d rounds) | %s | %s | %s | %s | %s |\n", rw.name, rw.rounds, k,
				bench.Summarise(s.mibps).Format("%.0f"), bench.Summarise(s.cpuGiB).Format("%.0f"),
				bench.Summarise(s.allocs).Format("%.0f"), scale(s.bytes, 1.0/1024).Format("%.0f"))
		}
	}
	r.printf("\nRatios of medians, SDK / official:\n\n| stream | MiB/s | CPU/GiB |\n|---|---:|---:|\n")
	for _, rw := range rows {
		s, o := rw.res["sdk"], rw.res["official"]
		rc := ratio(s.cpuGiB, o.cpuGiB)
		r.printf("| %s | %.2fx | %.2fx |\n", rw.name, ratio(s.mibps, o.mibps), rc)
		measured := fmt.Sprintf("%.2fx (%.0f / %.0f ms/GiB)", rc, bench.Summarise(s.cpuGiB).Median, bench.Summarise(o.cpuGiB).Median)
		if rw.goal {
			r.goal("demux CPU/GiB ≤ 1.0x official: "+rw.name, measured, rc <= 1.0)
		} else {
			r.info("demux CPU/GiB, SDK / official: "+rw.name, measured)
		}
	}
	return nil
}

// ---------------------------------------------------------------- concurrency

type concResult struct {
	ops, errs, dials         int64
	wall, cpu                time.Duration
	fdBefore, fdAfter, fdEnd int
	firstErr                 error
}

func concOnce(ctx context.Context, kind, id string) (concResult, error) {
	var res concResult
	runtime.GC()
	res.fdBefore = bench.OpenFDs()
	c, err := bench.New(kind, *host)
	if err != nil {
		return res, err
	}
	var ops, errs atomic.Int64
	var once sync.Once
	rctx, cancel := context.WithTimeout(ctx, *concTime)
	defer cancel()
	m := bench.Start()
	var wg sync.WaitGroup
	for i := 0; i < *workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rctx.Err() == nil {
				err := c.ContainerInspect(rctx, id)
				switch {
				case err == nil:
					ops.Add(1)
				case rctx.Err() != nil:
					// the run ended during this call
				default:
					errs.Add(1)
					once.Do(func() { res.firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	smp := m.Stop()
	res.fdAfter = bench.OpenFDs()
	res.ops, res.errs, res.dials = ops.Load(), errs.Load(), c.Dials()
	res.wall, res.cpu = smp.Wall, smp.CPU
	c.Close()
	res.fdEnd = bench.OpenFDs()
	return res, ctx.Err()
}

func concurrency(ctx context.Context, r *report, fx *bench.Fixture) error {
	type agg struct {
		opsPerSec, errs, dials, cpuPerOp, fdBefore, fdAfter, fdEnd []float64
		firstErr                                                   error
	}
	res := map[string]*agg{}
	for _, k := range bench.Kinds {
		res[k] = &agg{}
	}
	for round := 0; round < *concRounds; round++ {
		for _, k := range bench.Kinds {
			logf("concurrency: round %d/%d, %s", round+1, *concRounds, k)
			cr, err := concOnce(ctx, k, fx.Inspect)
			if err != nil {
				return err
			}
			a := res[k]
			a.opsPerSec = append(a.opsPerSec, float64(cr.ops)/cr.wall.Seconds())
			a.errs = append(a.errs, float64(cr.errs))
			a.dials = append(a.dials, float64(cr.dials))
			a.cpuPerOp = append(a.cpuPerOp, float64(cr.cpu.Microseconds())/float64(max(cr.ops, 1)))
			a.fdBefore = append(a.fdBefore, float64(cr.fdBefore))
			a.fdAfter = append(a.fdAfter, float64(cr.fdAfter))
			a.fdEnd = append(a.fdEnd, float64(cr.fdEnd))
			if a.firstErr == nil {
				a.firstErr = cr.firstErr
			}
		}
	}
	r.printf("\n## Concurrency\n\n%d goroutines calling ContainerInspect for %s, each client fresh (empty pool) per run; median (min..max) of %d rounds. "+
		"New connections are counted in each client's dial function; descriptors are /proc/self/fd before the client exists, after the run "+
		"(pool still open) and after Close.\n\n", *workers, *concTime, *concRounds)
	r.printf("| client | ops/s | errors | new connections | CPU µs/op | fds before | fds after run | fds after Close |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range bench.Kinds {
		a := res[k]
		r.printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", k,
			bench.Summarise(a.opsPerSec).Format("%.0f"), bench.Summarise(a.errs).Format("%.0f"),
			bench.Summarise(a.dials).Format("%.0f"), bench.Summarise(a.cpuPerOp).Format("%.0f"),
			bench.Summarise(a.fdBefore).Format("%.0f"), bench.Summarise(a.fdAfter).Format("%.0f"), bench.Summarise(a.fdEnd).Format("%.0f"))
	}
	for _, k := range bench.Kinds {
		if e := res[k].firstErr; e != nil {
			r.printf("\nFirst error of %s: `%v`\n", k, e)
		}
	}
	s := res["sdk"]
	maxDials := bench.Summarise(s.dials).Max
	if bench.Summarise(s.dials).Min < 0 {
		r.printf("\nThe SDK's dials could not be counted (its round tripper offered no dial to wrap): its new-connection figures are not valid.\n")
		r.goal(fmt.Sprintf("concurrency: SDK new connections ≤ goroutines (%d)", *workers), "unknown (could not count)", false)
		return nil
	}
	r.goal(fmt.Sprintf("concurrency: SDK new connections ≤ goroutines (%d)", *workers),
		fmt.Sprintf("max %.0f over %d runs (official: median %.0f)", maxDials, *concRounds, bench.Summarise(res["official"].dials).Median),
		maxDials <= float64(*workers) && bench.Summarise(s.errs).Max == 0)
	return nil
}

// ---------------------------------------------------------------- footprint

func goCmd(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return outb, fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return outb, nil
}

// coldBuild runs go with an empty build cache and returns the wall time and
// the CPU time of the go command and every compiler and linker it ran
// (wait4 reports the reaped children's usage too).
func coldBuild(ctx context.Context, dir string, args ...string) (wall, cpu time.Duration, err error) {
	cache, err := os.MkdirTemp("", "dsdkbench-gocache")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(cache)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOCACHE="+cache)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	wall = time.Since(t0)
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

func lines(b []byte) []string {
	var l []string
	for _, s := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if s != "" {
			l = append(l, s)
		}
	}
	return l
}

func footprints(ctx context.Context, r *report) error {
	tmp, err := os.MkdirTemp("", "dsdkbench-fp")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	type fp struct {
		name       string
		size       int64
		pkgs, mods []string
		cold, cpu  time.Duration
	}
	var fps []fp
	for _, name := range []string{"sdk", "official", "floor"} {
		logf("footprint: %s", name)
		pkg := "./footprint/" + name
		bin := filepath.Join(tmp, name)
		if _, err := goCmd(ctx, ".", nil, "build", "-trimpath", "-ldflags=-s -w", "-o", bin, pkg); err != nil {
			return err
		}
		st, err := os.Stat(bin)
		if err != nil {
			return err
		}
		o, err := goCmd(ctx, ".", nil, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
		if err != nil {
			return err
		}
		var pkgs []string
		for _, p := range lines(o) {
			if !strings.HasPrefix(p, "github.com/dockerclient/docker/bench") {
				pkgs = append(pkgs, p)
			}
		}
		o, err = goCmd(ctx, ".", nil, "list", "-deps", "-f", "{{if .Module}}{{.Module.Path}}{{end}}", pkg)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		var mods []string
		for _, m := range lines(o) {
			if m != "github.com/dockerclient/docker/bench" && !seen[m] {
				seen[m] = true
				mods = append(mods, m)
			}
		}
		cold, cpu, err := coldBuild(ctx, ".", "build", "-o", filepath.Join(tmp, name+".cold"), pkg)
		if err != nil {
			return err
		}
		fps = append(fps, fp{name, st.Size(), pkgs, mods, cold, cpu})
	}
	gover, err := goCmd(ctx, ".", nil, "env", "GOVERSION")
	if err != nil {
		return err
	}
	r.printf("\n## Footprint\n\nBuilt by %s. The same minimal program (connect from the environment, ping, list all containers, print them) for each client, in bench/footprint/. "+
		"Size is `go build -trimpath -ldflags='-s -w'`; packages are the non-standard-library ones in `go list -deps` (the program itself excluded); "+
		"cold build is `go build` with an empty GOCACHE (modules already downloaded), once, on a machine others were using (load average now %s).\n\n", strings.TrimSpace(string(gover)), loadavg())
	r.printf("| program | stripped size | non-std packages | modules | cold build (wall) | cold build (CPU) |\n|---|---:|---:|---:|---:|---:|\n")
	for _, f := range fps {
		r.printf("| %s | %.2f MiB (%d bytes) | %d | %d | %.1f s | %.1f s |\n", f.name, float64(f.size)/(1<<20), f.size, len(f.pkgs), len(f.mods), f.cold.Seconds(), f.cpu.Seconds())
	}
	for _, f := range fps {
		r.printf("\n<details><summary>%s: %d non-standard packages</summary>\n\n```\n%s\n```\n</details>\n", f.name, len(f.pkgs), strings.Join(f.pkgs, "\n"))
	}
	sdk, off, floor := fps[0], fps[1], fps[2]
	ratioSize := float64(sdk.size) / float64(off.size)
	ratioFloor := float64(sdk.size) / float64(floor.size)
	r.printf("\nSDK / official stripped size: %.3fx; SDK / floor: %.3fx.\n", ratioSize, ratioFloor)
	r.goal("minimal binary ≤ 0.92x official", fmt.Sprintf("%.3fx (%d / %d bytes)", ratioSize, sdk.size, off.size), ratioSize <= 0.92)
	r.goal("minimal binary ≤ 1.07x the net/http + encoding/json floor", fmt.Sprintf("%.3fx (%d / %d bytes)", ratioFloor, sdk.size, floor.size), ratioFloor <= 1.07)
	var third []string
	for _, p := range sdk.pkgs {
		if p != "github.com/dockerclient/docker" && !strings.HasPrefix(p, "github.com/dockerclient/docker/") {
			third = append(third, p)
		}
	}
	r.goal("no third-party package linked by the SDK program", fmt.Sprintf("%d non-SDK packages (%d SDK packages: %s)", len(third), len(sdk.pkgs), strings.Join(sdk.pkgs, ", ")), len(third) == 0)

	// Which version packages does the SDK program link?
	bin := filepath.Join(tmp, "sdk-symbols")
	if _, err := goCmd(ctx, ".", nil, "build", "-o", bin, "./footprint/sdk"); err != nil {
		return err
	}
	o, err := goCmd(ctx, ".", nil, "tool", "nm", bin)
	if err != nil {
		return err
	}
	re := regexp.MustCompile(`github\.com/dockerclient/docker/(v1[0-9][0-9])\.`)
	vs := map[string]int{}
	for _, m := range re.FindAllStringSubmatch(string(o), -1) {
		vs[m[1]]++
	}
	var names []string
	for v := range vs {
		names = append(names, v)
	}
	sort.Strings(names)
	vm, err := goCmd(ctx, ".", nil, "version", "-m", bin)
	if err != nil {
		return err
	}
	r.printf("\nVersion packages in the SDK program's symbol table (`go tool nm`, unstripped build): %d: %s (symbols: %v). `go version -m` lists modules only:\n\n```\n%s```\n",
		len(names), strings.Join(names, ", "), vs, onlyDeps(vm))
	r.goal("SDK program links one version package, not 32", fmt.Sprintf("%d linked: %s", len(names), strings.Join(names, ", ")), len(names) == 1)

	if *sdkBuild {
		logf("footprint: cold build of the whole SDK")
		args := []string{"build", "-p", "2", "./..."}
		d, cpu, err := coldBuild(ctx, "..", args...)
		if err != nil {
			return err
		}
		note := ""
		if runtime.NumCPU() > 2 {
			note = fmt.Sprintf(" (%d CPUs here; -p 2 limits parallel compiles, not cores)", runtime.NumCPU())
		}
		r.printf("\nCold `GOWORK=off go build -p 2 ./...` of the whole SDK module (root package, dialer, v125..v156, examples, internal) with an empty GOCACHE: **%.1f s** wall, %.1f s CPU, on %d CPUs%s, load average after %s.\n",
			d.Seconds(), cpu.Seconds(), runtime.NumCPU(), note, loadavg())
	}
	return nil
}

func onlyDeps(b []byte) string {
	var sb strings.Builder
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && (f[0] == "path" || f[0] == "mod" || f[0] == "dep" || f[0] == "=>") {
			sb.WriteString(strings.TrimSpace(l))
			sb.WriteString("\n")
		}
	}
	return sb.String()
}
