package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/internal/leakcheck"
	"github.com/dockerclient/docker/internal/testdaemon"
	"github.com/dockerclient/docker/v125"
)

// TestMain runs the tests, removes the shared busybox image, checks that no
// goroutine of the SDK outlived its test, and prints the summary line
// "e2e: N of 17 versions passed".
func TestMain(m *testing.M) {
	raiseParallelism()
	code := m.Run()
	removeBusybox()
	if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
		fmt.Fprintf(os.Stderr, "e2e: goroutines outlived their tests:\n%s\n", leaked)
		if code == 0 {
			code = 1
		}
	}
	printSummary()
	os.Exit(code)
}

// results records, per version, whether TestLifecycleV1NN and TestSwarmV1NN
// passed. The generated files register their versions in init.
var results = &resultBook{lifecycle: map[string]bool{}, swarm: map[string]bool{}}

type resultBook struct {
	sync.Mutex
	versions  []string
	lifecycle map[string]bool
	swarm     map[string]bool
}

// registerVersion is called by each generated file's init.
func registerVersion(pkg string) {
	results.Lock()
	defer results.Unlock()
	results.versions = append(results.versions, pkg)
	sort.Strings(results.versions)
}

// recordResult notes, when t ends, whether it passed (neither failed nor
// skipped).
func recordResult(t *testing.T, into map[string]bool, pkg string) {
	t.Cleanup(func() {
		results.Lock()
		defer results.Unlock()
		into[pkg] = !t.Failed() && !t.Skipped()
	})
}

// tally returns how many versions passed in m, of how many, and which did
// not.
func (r *resultBook) tally(m map[string]bool) (passed, total int, failed []string) {
	r.Lock()
	defer r.Unlock()
	for _, v := range r.versions {
		if m[v] {
			passed++
		} else {
			failed = append(failed, v)
		}
	}
	return passed, len(r.versions), failed
}

// printSummary prints the swarm tally, the versions that did not pass, and
// last the summary line "e2e: N of 17 versions passed"; without a daemon,
// why every version skipped.
func printSummary() {
	if _, err := testdaemon.Start(); err != nil {
		fmt.Printf("e2e: skipped, %v\n", err)
		return
	}
	sp, st, sf := results.tally(results.swarm)
	fmt.Printf("e2e swarm: %d of %d versions passed\n", sp, st)
	if len(sf) > 0 && sp > 0 {
		fmt.Printf("e2e swarm not passed: %s\n", strings.Join(sf, " "))
	}
	lp, lt, lf := results.tally(results.lifecycle)
	if len(lf) > 0 && lp > 0 {
		fmt.Printf("e2e lifecycle not passed: %s\n", strings.Join(lf, " "))
	}
	fmt.Printf("e2e: %d of %d versions passed\n", lp, lt)
}

// The busybox image every version runs, imported once per test binary from
// testdaemon.BusyboxRootfs through the SDK's own ImageCreate.
const (
	busyboxRepo = "dockersdk-e2e/busybox"
	busyboxRef  = busyboxRepo + ":latest"
)

var busybox struct {
	once sync.Once
	host string
	err  error
}

// busyboxImage imports the image on first use and returns its reference.
func busyboxImage(t *testing.T, host string) string {
	t.Helper()
	busybox.once.Do(func() {
		busybox.host = host
		busybox.err = importBusybox(host)
	})
	if busybox.err != nil {
		t.Fatalf("importing %s: %v", busyboxRef, busybox.err)
	}
	return busyboxRef
}

// importBusybox uses v125, which every daemon the suite targets accepts.
func importBusybox(host string) error {
	rootfs, err := testdaemon.BusyboxRootfs()
	if err != nil {
		return err
	}
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	progress, err := v125.New(c).ImageCreate(ctx, v125.ImageCreateOptions{
		FromSrc: "-",
		Repo:    busyboxRepo,
		Tag:     "latest",
		Body:    bytes.NewReader(rootfs),
	})
	if err != nil {
		return err
	}
	return progress.Wait()
}

// removeBusybox deletes the image when this binary imported it.
func removeBusybox() {
	if busybox.host == "" || busybox.err != nil {
		return
	}
	c, err := docker.New(docker.WithHost(busybox.host))
	if err != nil {
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The dynamic call, with no result wanted, reads nothing of the body.
	err = c.CallVersion(ctx, "1.25", "ImageDelete", docker.Args{"name": busyboxRef, "force": true}, nil)
	if err != nil && !docker.IsNotFound(err) {
		fmt.Fprintf(os.Stderr, "e2e: removing %s: %v\n", busyboxRef, err)
	}
}

// leakedGoroutines waits up to wait for the goroutines the tests started to
// end (closing is asynchronous in places), and returns the stacks of those
// that did not.
func leakedGoroutines(wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		leaked := leakcheck.Leaked()
		if len(leaked) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// parallelTests is how many tests run at once unless -test.parallel says
// otherwise: every version's lifecycle and swarm test (which mostly wait on
// the daemon, and the swarm ones on each other), not GOMAXPROCS of them.
const parallelTests = 64

// raiseParallelism sets -test.parallel to parallelTests when the command
// line did not set it.
func raiseParallelism() {
	if !flag.Parsed() {
		flag.Parse()
	}
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(parallelTests)); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: setting -test.parallel: %v\n", err)
		}
	}
}
