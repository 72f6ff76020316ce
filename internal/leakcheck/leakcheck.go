// Package leakcheck fails a test binary when goroutines outlive its tests:
// a stream that was not closed, a connection that was not returned, a
// watcher that was never stopped. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Main runs the tests, then waits (up to a few seconds, since closing is
// asynchronous in places) for every goroutine they started to end, and
// reports those that do not.
func Main(m *testing.M) int {
	code := m.Run()
	if code != 0 {
		return code
	}
	var leaked []string
	deadline := time.Now().Add(5 * time.Second)
	for {
		leaked = Leaked()
		if len(leaked) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(leaked) == 0 {
		return 0
	}
	fmt.Fprintf(os.Stderr, "leakcheck: %d goroutines outlived the tests:\n\n%s\n", len(leaked), strings.Join(leaked, "\n\n"))
	return 1
}

// Leaked returns the stacks of goroutines that are neither the test
// runner's nor the runtime's own.
func Leaked() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if g == "" || expected(g) {
			continue
		}
		out = append(out, g)
	}
	return out
}

var benign = []string{
	"leakcheck.Leaked(",      // this goroutine
	"testing.(*M).",          // the test runner
	"testing.runFuzzing",     // the fuzzing engine
	"testing.tRunner.func1(", // a test's own deferred work
	"os/signal.signal_recv",
	"runtime.ensureSigM",
	"runtime/trace.Start",
	"runtime.ReadTrace",
}

func expected(stack string) bool {
	for _, b := range benign {
		if strings.Contains(stack, b) {
			return true
		}
	}
	// The main goroutine while it runs this check.
	return strings.HasPrefix(stack, "goroutine 1 [")
}
