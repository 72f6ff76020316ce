// Package contracttest calls every operation of every API version against
// a server that checks each request against that version's spec and answers
// with a response shaped by it, which the typed client must decode.
//
// The calls are generated (calls_v1NN_gen_test.go): each sets every
// parameter the operation has, so the server sees every one encoded.
package contracttest

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/dockertest"
	"github.com/dockerclient/docker/gen"
	"github.com/go-openapi/spec"
)

type contractCall struct {
	op   string
	call func(ctx context.Context) error
}

var (
	registryMu sync.Mutex
	registry   = map[string]func(*docker.Client) []contractCall{}
)

func register(version string, calls func(*docker.Client) []contractCall) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[version] = calls
}

func drain(s *docker.Stream) error {
	defer s.Close()
	if _, err := s.PathStat(); err != nil && s.Header.Get(docker.PathStatHeader) != "" {
		return err
	}
	_, err := io.Copy(io.Discard, s)
	return err
}

// exchange writes to a hijacked connection, half-closes it and reads what
// comes back until the server closes.
func exchange(h *docker.HijackedConn) error {
	defer h.Close()
	if _, err := h.Write([]byte("ping\n")); err != nil {
		return err
	}
	if err := h.CloseWrite(); err != nil {
		return err
	}
	var stdout strings.Builder
	if err := h.Output().Demux(&stdout, io.Discard); err != nil {
		return err
	}
	if !strings.Contains(stdout.String(), "ping") {
		return fmt.Errorf("the server's echo of stdin is missing from %q", stdout.String())
	}
	return nil
}

func TestContract(t *testing.T) {
	versions, err := gen.FindSpecs("../../specs")
	if err != nil {
		t.Fatal(err)
	}
	fixes, err := gen.LoadFixes("../../specs/fixes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var total, versionsDone atomic.Int64
	t.Run("versions", func(t *testing.T) {
		for _, v := range versions {
			t.Run(v.Name, func(t *testing.T) {
				t.Parallel()
				n := checkVersion(t, v, fixes)
				total.Add(int64(n))
				versionsDone.Add(1)
			})
		}
	})
	fmt.Printf("contract: %d operations across %d versions\n", total.Load(), versionsDone.Load())
	if int(versionsDone.Load()) != len(versions) {
		t.Errorf("only %d of %d versions were checked", versionsDone.Load(), len(versions))
	}
}

func checkVersion(t *testing.T, v gen.SpecVersion, fixes []gen.Fix) int {
	sw, err := gen.LoadSpec(v, fixes)
	if err != nil {
		t.Fatal(err)
	}
	registryMu.Lock()
	callsFor := registry[v.Name]
	registryMu.Unlock()
	if callsFor == nil {
		t.Fatalf("no generated calls for v%s", v.Name)
	}
	// The fake daemon users get, on the generated tables; a request that
	// does not conform to v.Name's spec fails t from there. The operations
	// the spec lists (read here with go-openapi) must all reach it, which
	// also checks the tables against the spec.
	srv := dockertest.Start(t, v.Name)
	rt, err := docker.New(docker.WithHost(srv.Host()))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()

	calls := callsFor(rt)
	specOps := map[string]bool{}
	for _, item := range sw.Paths.Paths {
		for _, op := range []*spec.Operation{item.Get, item.Head, item.Post, item.Put, item.Delete, item.Patch} {
			if op != nil {
				specOps[op.ID] = true
			}
		}
	}
	called := map[string]bool{}
	for _, c := range calls {
		called[c.op] = true
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := c.call(ctx)
		cancel()
		if err != nil {
			t.Errorf("%s: %v", c.op, err)
		}
	}
	matched := map[string]int{}
	for _, c := range srv.Calls() {
		matched[c.Op]++
	}
	var missing []string
	for op := range specOps {
		if !called[op] {
			missing = append(missing, op+" (no method)")
		} else if matched[op] == 0 {
			missing = append(missing, op+" (never reached the server as itself)")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("v%s: %s", v.Name, m)
	}
	return len(calls)
}

// exchangeWebSocket writes to a WebSocket attach, reads until the server's
// echo comes back, then closes the WebSocket.
func exchangeWebSocket(ws *docker.WebSocketConn) error {
	defer ws.Close()
	if _, err := ws.Write([]byte("ping\n")); err != nil {
		return err
	}
	var got strings.Builder
	buf := make([]byte, 256)
	for !strings.Contains(got.String(), "ping") {
		n, err := ws.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			return fmt.Errorf("reading the echo: %w (so far %q)", err, got.String())
		}
	}
	if err := ws.CloseWrite(); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, ws)
	return err
}
