package e2e

import (
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
)

// TestMain runs the tests, removes the shared busybox image, checks that no
// goroutine of the SDK outlived its test, and prints the summary line
// "e2e: N of M versions the daemon serves passed (...)".
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

// tally returns how many of the versions the daemon serves passed in m, of
// how many, and which did not.
func (r *resultBook) tally(m map[string]bool, d *daemonInfo) (passed, total int, failed []string) {
	r.Lock()
	defer r.Unlock()
	for _, v := range r.versions {
		if !d.serves(v) {
			continue
		}
		total++
		if m[v] {
			passed++
		} else {
			failed = append(failed, v)
		}
	}
	return passed, total, failed
}

// printSummary prints the swarm tally, the versions that did not pass, and
// last the summary line "e2e: N of M versions the daemon serves passed
// (dockerd 20.10.24, API 1.12-1.41)"; without a daemon, why every version
// skipped.
func printSummary() {
	d, err := theDaemon()
	if err != nil {
		fmt.Printf("e2e: skipped, %v\n", err)
		return
	}
	sp, st, sf := results.tally(results.swarm, d)
	if d.swarm() {
		fmt.Printf("e2e swarm: %d of %d versions passed\n", sp, st)
		if len(sf) > 0 && sp > 0 {
			fmt.Printf("e2e swarm not passed: %s\n", strings.Join(sf, " "))
		}
	} else {
		fmt.Printf("e2e swarm: skipped, %s has no swarm\n", d.Name())
	}
	lp, lt, lf := results.tally(results.lifecycle, d)
	if len(lf) > 0 && lp > 0 {
		fmt.Printf("e2e lifecycle not passed: %s\n", strings.Join(lf, " "))
	}
	fmt.Printf("e2e: %d of %d versions the daemon serves passed (%s, API %s-%s)\n",
		lp, lt, d.Name(), d.versions.Min, d.versions.Max)
}

// daemonInfo is what the suite learns from the daemon under test, once:
// which versions it serves (never a constant: the same tests run against
// dockerd 20.10, Docker 28 and 29, and Podman) and what it is.
type daemonInfo struct {
	testdaemon.Daemon
	versions docker.VersionRange
}

var daemon struct {
	once sync.Once
	info *daemonInfo
	err  error
}

// theDaemon asks the daemon under test what it is, on first use.
func theDaemon() (*daemonInfo, error) {
	daemon.once.Do(func() { daemon.info, daemon.err = askDaemon() })
	return daemon.info, daemon.err
}

func askDaemon() (*daemonInfo, error) {
	host, err := testdaemon.Start()
	if err != nil {
		return nil, err
	}
	c, err := docker.New(docker.WithHost(host))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := &daemonInfo{}
	if d.versions, err = c.DaemonVersions(ctx); err != nil {
		return nil, fmt.Errorf("asking the daemon at %s its versions: %w", host, err)
	}
	if d.Daemon, err = testdaemon.Describe(ctx, c); err != nil {
		return nil, fmt.Errorf("asking the daemon at %s its version: %w", host, err)
	}
	return d, nil
}

// swarm: Podman has none.
func (d *daemonInfo) swarm() bool { return !d.Podman }

// serves reports whether the daemon accepts the version of package pkg
// ("v141").
func (d *daemonInfo) serves(pkg string) bool {
	return d.versions.Contains("1." + strings.TrimPrefix(pkg, "v1"))
}

// dockerBefore reports whether the daemon is Docker (not Podman) older than
// major.minor: for the daemon bugs that tests expect knowingly.
func (d *daemonInfo) dockerBefore(major, minor int) bool {
	if d.Podman {
		return false
	}
	// "20.10.24+dfsg1", "28.5.2", "29.x (moby v2.0.0-beta.24)": a minor
	// that is not a number counts as 0.
	var ma, mi int
	if n, _ := fmt.Sscanf(d.Version, "%d.%d", &ma, &mi); n == 0 {
		return false
	}
	return ma < major || ma == major && mi < minor
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
		busybox.err = testdaemon.ImportBusybox(host, busyboxRepo)
	})
	if busybox.err != nil {
		t.Fatalf("importing %s: %v", busyboxRef, busybox.err)
	}
	return busyboxRef
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
	err = c.Call(ctx, "ImageDelete", docker.Args{"name": busyboxRef, "force": true}, nil)
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
