package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"time"

	"github.com/dockerclient/docker/bench"
)

// garbageKinds are the clients the garbage answer is tried on: the floor
// is no goal here.
var garbageKinds = []string{"sdk", "official"}

// garbageResult is what one child process reports about its one call.
type garbageResult struct {
	PeakRSS   int64         // VmHWM at the end: the process's peak resident set
	RSSBefore int64         // VmRSS before the client was made
	HeapPeak  uint64        // peak of the heap's object bytes, sampled every millisecond and at the end
	Allocated uint64        // bytes allocated during the call (MemStats.TotalAlloc)
	Wall      time.Duration // until the call returned
	Err       string        // the call's error, first 100 characters
}

// garbageChild makes one ContainerInspect with the client of kind against
// the garbage stub at host and prints what it cost (JSON) on stdout. It runs
// in a process of its own, so that the peak figures are this call's.
func garbageChild(kind, host string) error {
	res := garbageResult{RSSBefore: bench.ProcStatus("VmRSS")}
	c, err := bench.New(kind, host)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var peak uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, heap())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()

	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	t0 := time.Now()
	err = c.ContainerInspect(ctx, "x")
	res.Wall = time.Since(t0)
	runtime.ReadMemStats(&ms1)
	close(done)
	wg.Wait()
	res.HeapPeak = max(peak, heap())
	res.Allocated = ms1.TotalAlloc - ms0.TotalAlloc
	res.PeakRSS = bench.ProcStatus("VmHWM")
	switch {
	case err == nil:
		res.Err = "(no error)"
	default:
		res.Err = err.Error()
		if r := []rune(res.Err); len(r) > 100 {
			res.Err = string(r[:100])
		}
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// garbage serves the garbage stub (bench.GarbageHandler: 1 GiB of 'x' with
// Content-Length: 1073741824 for GET /v1.41/containers/x/json) from this
// process and runs each client's call in fresh child processes, interleaved.
func garbage(ctx context.Context, r *report) error {
	dir, err := os.MkdirTemp("", "dsdkbench-garbage")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "garbage.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		return err
	}
	defer l.Close()
	go bench.ServeGarbage(l)

	res := map[string][]garbageResult{}
	for round := 0; round < *garbRounds; round++ {
		for _, k := range garbageKinds {
			logf("garbage answer: round %d/%d, %s", round+1, *garbRounds, k)
			cmd := exec.CommandContext(ctx, os.Args[0], "-garbage-child", k, "-garbage-host", "unix://"+sock)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				return fmt.Errorf("garbage child %s: %w", k, err)
			}
			var g garbageResult
			if err := json.Unmarshal(out, &g); err != nil {
				return fmt.Errorf("garbage child %s: %w: %q", k, err, out)
			}
			res[k] = append(res[k], g)
		}
	}

	mib := func(f func(g garbageResult) float64, k string) bench.Stats {
		var v []float64
		for _, g := range res[k] {
			v = append(v, f(g)/(1<<20))
		}
		return bench.Summarise(v)
	}
	peakRSS := func(g garbageResult) float64 { return float64(g.PeakRSS) }
	r.printf("\n## A typed call answered with 1 GiB of garbage\n\nA stub server (in the runner, on a unix socket in a temporary directory) answers "+
		"`GET /v1.41/containers/x/json` with 200, `Content-Length: %d` and that many bytes of `x`, written in 64 KiB chunks until the client goes away. "+
		"Each client makes one ContainerInspect (the SDK: `v141.New(c).ContainerInspect`) in a fresh child process (`compare -garbage-child`), "+
		"%d processes per client, interleaved; median (min..max). Peak RSS is VmHWM from /proc/self/status at the end, the whole process's peak; "+
		"RSS before is VmRSS before the client was made. The Go heap peak is the largest `/memory/classes/heap/objects:bytes` (runtime/metrics) "+
		"sampled every millisecond during the call and at its end; allocated is MemStats.TotalAlloc over the call. Wall is until the call returned its error.\n\n",
		bench.GarbageSize, *garbRounds)
	r.printf("| client | peak RSS, MiB | RSS before, MiB | Go heap peak, MiB | allocated by the call, MiB | wall until the error | error (first 100 characters) |\n|---|---:|---:|---:|---:|---:|---|\n")
	for _, k := range garbageKinds {
		var wall []float64
		errs := map[string]bool{}
		var texts []string
		for _, g := range res[k] {
			wall = append(wall, float64(g.Wall.Microseconds())/1e3)
			if !errs[g.Err] {
				errs[g.Err] = true
				texts = append(texts, "`"+strings.ReplaceAll(g.Err, "|", `\|`)+"`")
			}
		}
		r.printf("| %s | %s | %s | %s | %s | %s ms | %s |\n", k,
			mib(peakRSS, k).Format("%.1f"),
			mib(func(g garbageResult) float64 { return float64(g.RSSBefore) }, k).Format("%.1f"),
			mib(func(g garbageResult) float64 { return float64(g.HeapPeak) }, k).Format("%.1f"),
			mib(func(g garbageResult) float64 { return float64(g.Allocated) }, k).Format("%.1f"),
			bench.Summarise(wall).Format("%.1f"), strings.Join(texts, "; "))
	}
	sdk := mib(peakRSS, "sdk")
	r.goal("a typed call answered with 1 GiB of garbage: SDK peak RSS < 16 MiB",
		fmt.Sprintf("max %.1f MiB over %d processes (official: median %.1f MiB)", sdk.Max, *garbRounds, mib(peakRSS, "official").Median),
		sdk.Max < 16)
	return nil
}
