package docker_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// pattern is an endless, allocation-free source of bytes.
type pattern struct{ n int64 }

var patternBlock = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

func (p *pattern) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		n += copy(b[n:], patternBlock[int((p.n+int64(n))%int64(len(patternBlock))):])
	}
	p.n += int64(n)
	return n, nil
}

// archiveServer answers the SDK's tar endpoints with sizes given in the
// request: it counts what is uploaded and sends what is asked for, so that
// nothing but the SDK holds memory.
type archiveServer struct {
	received atomic.Int64
}

func (s *archiveServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/archive"),
		r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/images/load"),
		r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/images/create"),
		r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/build"):
		n, err := io.Copy(io.Discard, r.Body)
		s.received.Store(n)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.Method == http.MethodPost {
			fmt.Fprintf(w, `{"stream":"Loaded %d bytes\n"}`+"\n", n)
		}
	case r.Method == http.MethodGet:
		size, _ := strconv.ParseInt(r.URL.Query().Get("path"), 10, 64)
		if size == 0 {
			size, _ = strconv.ParseInt(strings.Trim(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1.41/images/"), "/get"), "/"), 10, 64)
		}
		st, _ := json.Marshal(docker.PathStat{Name: "big", Size: size, Mode: 0o644})
		w.Header().Set(docker.PathStatHeader, base64.StdEncoding.EncodeToString(st))
		w.Header().Set("Content-Type", "application/x-tar")
		io.CopyN(w, &pattern{}, size)
	default:
		http.NotFound(w, r)
	}
}

// heapWatch samples the live heap while a transfer runs and reports its
// highest growth over the level before.
type heapWatch struct {
	base int64
	peak atomic.Int64
	stop chan struct{}
	done sync.WaitGroup
}

const heapMetric = "/memory/classes/heap/objects:bytes"

// heapNow reads the bytes of live and not yet swept heap objects into s
// (which it reuses: sampling must not allocate), without stopping the
// world.
func heapNow(s []metrics.Sample) int64 {
	s[0].Name = heapMetric
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

func watchHeap() *heapWatch {
	runtime.GC()
	w := &heapWatch{base: heapNow(make([]metrics.Sample, 1)), stop: make(chan struct{})}
	w.peak.Store(w.base)
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		sample := make([]metrics.Sample, 1)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				if h := heapNow(sample); h > w.peak.Load() {
					w.peak.Store(h)
				}
			}
		}
	}()
	return w
}

// growth stops sampling and returns the peak growth in bytes.
func (w *heapWatch) growth() int64 {
	close(w.stop)
	w.done.Wait()
	if h := heapNow(make([]metrics.Sample, 1)); h > w.peak.Load() {
		w.peak.Store(h)
	}
	return w.peak.Load() - w.base
}

// transfers are the SDK's upload and download paths for tar bodies.
var transfers = []struct {
	name string
	run  func(ctx context.Context, cli *v141.Client, srv *archiveServer, size int64) error
}{
	{"PutContainerArchive upload", func(ctx context.Context, cli *v141.Client, srv *archiveServer, size int64) error {
		err := cli.PutContainerArchive(ctx, "c", v141.PutContainerArchiveOptions{Path: "/", Body: io.LimitReader(&pattern{}, size)})
		if err == nil && srv.received.Load() != size {
			err = fmt.Errorf("server received %d bytes of %d", srv.received.Load(), size)
		}
		return err
	}},
	{"ImageLoad upload", func(ctx context.Context, cli *v141.Client, srv *archiveServer, size int64) error {
		s, err := cli.ImageLoad(ctx, v141.ImageLoadOptions{Body: io.LimitReader(&pattern{}, size)})
		if err != nil {
			return err
		}
		if err := s.Wait(); err != nil {
			return err
		}
		if srv.received.Load() != size {
			return fmt.Errorf("server received %d bytes of %d", srv.received.Load(), size)
		}
		return nil
	}},
	{"ContainerArchive download", func(ctx context.Context, cli *v141.Client, srv *archiveServer, size int64) error {
		s, err := cli.ContainerArchive(ctx, "c", v141.ContainerArchiveOptions{Path: strconv.FormatInt(size, 10)})
		if err != nil {
			return err
		}
		defer s.Close()
		st, err := s.PathStat()
		if err != nil || st.Size != size {
			return fmt.Errorf("path stat %+v, %v", st, err)
		}
		n, err := io.Copy(io.Discard, s)
		if err == nil && n != size {
			err = fmt.Errorf("read %d bytes of %d", n, size)
		}
		return err
	}},
	{"ImageGet piped into ImageLoad", func(ctx context.Context, cli *v141.Client, srv *archiveServer, size int64) error {
		s, err := cli.ImageGet(ctx, strconv.FormatInt(size, 10), v141.ImageGetOptions{})
		if err != nil {
			return err
		}
		defer s.Close()
		load, err := cli.ImageLoad(ctx, v141.ImageLoadOptions{Body: s})
		if err != nil {
			return err
		}
		if err := load.Wait(); err != nil {
			return err
		}
		if srv.received.Load() != size {
			return fmt.Errorf("server received %d bytes of %d", srv.received.Load(), size)
		}
		return nil
	}},
}

// TestTarBodiesStream: moving 128 MiB each way does not grow the heap by
// anything near that: nothing is buffered whole.
func TestTarBodiesStream(t *testing.T) {
	size := int64(128 << 20)
	if testing.Short() {
		size = 16 << 20
	}
	srv := &archiveServer{}
	_, cli := testServer(t, srv)
	for _, tr := range transfers {
		w := watchHeap()
		err := tr.run(context.Background(), cli, srv, size)
		g := w.growth()
		if err != nil {
			t.Fatalf("%s: %v", tr.name, err)
		}
		t.Logf("%s of %d MiB: heap grew by at most %.1f MiB", tr.name, size>>20, float64(g)/(1<<20))
		if g > 24<<20 {
			t.Errorf("%s of %d MiB: the heap grew by %.1f MiB", tr.name, size>>20, float64(g)/(1<<20))
		}
	}
}

// TestArchiveCancel: cancelling a download or an upload in progress ends
// it promptly with the context's error.
func TestArchiveCancel(t *testing.T) {
	srv := &archiveServer{}
	c, cli := testServer(t, srv)
	before := goroutines()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := cli.ContainerArchive(ctx, "c", v141.ContainerArchiveOptions{Path: strconv.Itoa(1 << 40)})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := io.Copy(io.Discard, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("download after cancel: %v", err)
	}
	s.Close()

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err = cli.PutContainerArchive(ctx, "c", v141.PutContainerArchiveOptions{Path: "/", Body: io.LimitReader(&pattern{}, 1<<40)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("upload after cancel: %v", err)
	}
	checkGoroutines(t, c, before)
}

// BenchmarkTarBodies1GiB moves 1 GiB through each of the SDK's upload and
// download paths against an in-process server, and reports the throughput
// (MB/s), the bytes allocated per op, and the peak growth of the live heap
// while it ran (peak-heap-MiB), which stays flat whatever the size.
//
//	go test -run '^$' -bench BenchmarkTarBodies1GiB -benchtime 1x .
//
// DOCKERSDK_BENCH_MIB sets another size.
func BenchmarkTarBodies1GiB(b *testing.B) {
	size := int64(1 << 30)
	if v, err := strconv.ParseInt(os.Getenv("DOCKERSDK_BENCH_MIB"), 10, 64); err == nil && v > 0 {
		size = v << 20
	}
	srv := &archiveServer{}
	_, cli := testServer(b, srv)
	for _, tr := range transfers {
		b.Run(tr.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			var peak int64
			start := time.Now()
			for i := 0; i < b.N; i++ {
				w := watchHeap()
				if err := tr.run(context.Background(), cli, srv, size); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, w.growth())
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(size)*float64(b.N)/(1<<20)/time.Since(start).Seconds(), "MiB/s")
		})
	}
}
