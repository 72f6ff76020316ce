package bench

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// go test -bench . -benchmem (GOWORK=off) runs the per-operation
// benchmarks. The typed calls and the daemon log stream need a daemon at
// DOCKER_HOST (default: the repository's private test daemon) with
// busybox:latest; without one they are skipped. The stub stream needs
// nothing.
var (
	nContainers = flag.Int("containers", 50, "stopped containers present during the typed-call benchmarks")
	stubMiB     = flag.Int("stub-mib", 64, "MiB of multiplexed log stream the in-process stub serves per op")
	logsMiB     = flag.Int("logs-mib", 0, "MiB of container logs for BenchmarkLogsDaemon (0 skips it; cmd/compare measures 512)")
	lineLen     = flag.Int("line", 1024, "bytes per log line (and frame), newline included")
	listLabel   = flag.String("list-label", Label, "label filter ContainerList sends with all=true (\"\" lists everything)")
)

var fixture *Fixture

func TestMain(m *testing.M) {
	flag.Parse()
	ListLabel = *listLabel
	code := func() int {
		if !benchmarking() {
			return m.Run()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		f, err := NewFixture(ctx, DefaultHost())
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: no daemon fixture (%v): daemon benchmarks skipped\n", err)
			return m.Run()
		}
		defer func() {
			if err := f.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "bench: cleanup:", err)
			}
		}()
		if err := f.CreateStopped(ctx, *nContainers); err != nil {
			fmt.Fprintln(os.Stderr, "bench: setup:", err)
			return 1
		}
		if *logsMiB > 0 {
			if err := f.MakeLogs(ctx, int64(*logsMiB)<<20, *lineLen); err != nil {
				fmt.Fprintln(os.Stderr, "bench: setup:", err)
				return 1
			}
		}
		fixture = f
		return m.Run()
	}()
	os.Exit(code)
}

func benchmarking() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}

var sinkN int

func newClient(b *testing.B, kind, host string) Client {
	c, err := New(kind, host)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// typed runs one typed call for each client, reporting the process CPU per
// op beside ns/op, B/op and allocs/op.
func typed(b *testing.B, call func(ctx context.Context, c Client) error) {
	if fixture == nil {
		b.Skip("no daemon")
	}
	for _, kind := range Kinds {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			c := newClient(b, kind, fixture.Host)
			for i := 0; i < 3; i++ { // connect, negotiate, warm up
				if err := call(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := ProcessCPU()
			for i := 0; i < b.N; i++ {
				if err := call(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			cpu := ProcessCPU() - cpu0
			b.StopTimer()
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(c.Dials()), "dials")
		})
	}
}

func BenchmarkPing(b *testing.B) {
	typed(b, func(ctx context.Context, c Client) error { return c.Ping(ctx) })
}

func BenchmarkContainerList(b *testing.B) {
	typed(b, func(ctx context.Context, c Client) error {
		n, err := c.ContainerList(ctx)
		if err == nil && n < *nContainers {
			err = fmt.Errorf("listed %d containers, want at least %d", n, *nContainers)
		}
		sinkN = n
		return err
	})
}

func BenchmarkContainerInspect(b *testing.B) {
	typed(b, func(ctx context.Context, c Client) error { return c.ContainerInspect(ctx, fixture.Inspect) })
}

func BenchmarkImageList(b *testing.B) {
	typed(b, func(ctx context.Context, c Client) error {
		n, err := c.ImageList(ctx)
		sinkN = n
		return err
	})
}

// BenchmarkLogsStub reads a multiplexed log stream from an in-process
// server on a unix socket: each client's own ceiling. The server's CPU is
// in the same process, so cpu-ns/op here is client + server; cmd/compare
// runs the stub in a child process to measure the client alone.
func BenchmarkLogsStub(b *testing.B) {
	total := int64(*stubMiB) << 20
	sock := filepath.Join(b.TempDir(), "stub.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(StubHandler(total, *lineLen))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	defer srv.Close()
	streamBench(b, "unix://"+sock, "stub", total)
}

// BenchmarkLogsDaemon reads -logs-mib of a container's logs from the daemon.
func BenchmarkLogsDaemon(b *testing.B) {
	if fixture == nil || fixture.LogsID == "" {
		b.Skip("no daemon, or -logs-mib 0")
	}
	streamBench(b, fixture.Host, fixture.LogsID, fixture.LogsBytes)
}

func streamBench(b *testing.B, host, id string, total int64) {
	for _, kind := range Kinds {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			c := newClient(b, kind, host)
			if err := c.Ping(ctx); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(total)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := ProcessCPU()
			for i := 0; i < b.N; i++ {
				var w CountingWriter
				if err := c.Logs(ctx, id, &w); err != nil {
					b.Fatal(err)
				}
				if w.N < total {
					b.Fatalf("read %d bytes, want %d", w.N, total)
				}
			}
			cpu := ProcessCPU() - cpu0
			b.StopTimer()
			b.ReportMetric(float64(cpu.Nanoseconds())/1e6/float64(b.N)/(float64(total)/(1<<30)), "cpu-ms/GiB")
		})
	}
}
