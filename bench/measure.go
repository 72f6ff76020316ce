package bench

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// Sample is what one measured stretch of work cost the process.
type Sample struct {
	Wall   time.Duration
	CPU    time.Duration // user + system CPU of the whole process (getrusage)
	Allocs uint64        // heap objects allocated (runtime.MemStats.Mallocs)
	Bytes  uint64        // heap bytes allocated (runtime.MemStats.TotalAlloc)
}

// Meter takes a Sample around a stretch of work.
type Meter struct {
	t0   time.Time
	cpu0 time.Duration
	ms0  runtime.MemStats
}

// ProcessCPU returns the user + system CPU time the process has used.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Start begins a measurement. A GC first, so that garbage left by earlier
// work is not collected (and charged) inside this one.
func Start() *Meter {
	runtime.GC()
	m := &Meter{}
	runtime.ReadMemStats(&m.ms0)
	m.cpu0 = ProcessCPU()
	m.t0 = time.Now()
	return m
}

// Stop ends the measurement.
func (m *Meter) Stop() Sample {
	wall := time.Since(m.t0)
	cpu := ProcessCPU() - m.cpu0
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Sample{Wall: wall, CPU: cpu, Allocs: ms.Mallocs - m.ms0.Mallocs, Bytes: ms.TotalAlloc - m.ms0.TotalAlloc}
}

// OpenFDs counts the process's open file descriptors (/proc/self/fd).
func OpenFDs() int {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return -1
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return -1
	}
	return len(names) - 1 // the directory's own descriptor
}

// ProcStatus returns a field of /proc/self/status that is counted in kB
// (VmRSS, VmHWM: the resident set now and at its peak), in bytes; -1 when
// it cannot be read.
func ProcStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		v, ok := bytes.CutPrefix(l, []byte(field+":"))
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
		if err != nil {
			return -1
		}
		return kb << 10
	}
	return -1
}

// Stats summarises repeated measurements of one figure.
type Stats struct{ Median, Min, Max float64 }

// Summarise returns the median (the mean of the middle two for an even
// count), min and max.
func Summarise(v []float64) Stats {
	if len(v) == 0 {
		return Stats{math.NaN(), math.NaN(), math.NaN()}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Stats{med, s[0], s[n-1]}
}

// Format prints "median (min..max)" with the given verb for each number.
func (s Stats) Format(verb string) string {
	if s.Min == s.Max {
		return fmt.Sprintf(verb, s.Median)
	}
	return fmt.Sprintf(verb+" ("+verb+".."+verb+")", s.Median, s.Min, s.Max)
}

// CountingWriter discards what it is given and counts it. It deliberately
// has no ReadFrom, so every client copies through its own buffer.
type CountingWriter struct{ N int64 }

func (w *CountingWriter) Write(p []byte) (int, error) {
	w.N += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*CountingWriter)(nil)
