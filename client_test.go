package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeDaemon answers /version with a range and records the requests it sees.
type fakeDaemon struct {
	min, max string
	hits     atomic.Int32
	versions atomic.Int32
	handler  http.HandlerFunc
}

func (f *fakeDaemon) start(t *testing.T) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/version" {
			f.versions.Add(1)
			json.NewEncoder(w).Encode(map[string]string{"ApiVersion": f.max, "MinAPIVersion": f.min})
			return
		}
		f.hits.Add(1)
		if f.handler != nil {
			f.handler(w, r)
			return
		}
		w.Write([]byte("{}"))
	}))
	t.Cleanup(srv.Close)
	c, err := New(WithHost("tcp://" + strings.TrimPrefix(srv.URL, "http://")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestNegotiateTable(t *testing.T) {
	cases := []struct {
		name, min, max, want, err string
	}{
		{"daemon older than SDK floor overlaps", "1.12", "1.41", "1.41", ""},
		{"daemon inside", "1.24", "1.43", "1.43", ""},
		{"daemon newer than SDK", "1.44", "1.99", MaxAPIVersion, ""},
		{"docker 29", "1.44", "1.52", "1.52", ""},
		{"no minimum reported", "", "1.30", "1.30", ""},
		{"daemon below SDK", "1.12", "1.24", "", "no API version in common: the daemon speaks 1.12 to 1.24, this SDK speaks 1.25 to " + MaxAPIVersion},
		{"daemon above SDK", "1.98", "1.99", "", "no API version in common: the daemon speaks 1.98 to 1.99"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Negotiate(VersionRange{Min: c.min, Max: c.max})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want it to say %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Negotiate = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestClientNegotiatesOnceAndHonoursOverride(t *testing.T) {
	f := &fakeDaemon{min: "1.12", max: "1.41"}
	c := f.start(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		v, err := c.Negotiate(ctx)
		if err != nil || v != "1.41" {
			t.Fatalf("Negotiate = %q, %v", v, err)
		}
	}
	if n := f.versions.Load(); n != 1 {
		t.Fatalf("asked /version %d times, want once", n)
	}

	f2 := &fakeDaemon{min: "1.12", max: "1.41"}
	c2 := f2.start(t)
	if err := WithAPIVersion("1.30")(c2); err != nil {
		t.Fatal(err)
	}
	if v, err := c2.Negotiate(ctx); err != nil || v != "1.30" {
		t.Fatalf("override: Negotiate = %q, %v", v, err)
	}
	if err := WithAPIVersion("1.99")(c2); err == nil {
		t.Fatal("a version outside the SDK's range was accepted")
	}
}

func TestPinnedVersionOutsideDaemonRangeFailsBeforeSending(t *testing.T) {
	f := &fakeDaemon{min: "1.12", max: "1.41"}
	c := f.start(t)
	r := NewRequest("VolumeUpdate", "1.42", "PUT", "/volumes/{name}")
	r.PathParam("name", "v")
	err := c.DoNoContent(context.Background(), r)
	var ve *VersionError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *VersionError", err)
	}
	for _, want := range []string{"1.42", "1.12 to 1.41", "VolumeUpdate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if f.hits.Load() != 0 {
		t.Fatal("the request was sent anyway")
	}
	// A version the daemon accepts goes through.
	if err := c.DoJSON(context.Background(), NewRequest("SystemInfo", "1.41", "GET", "/info"), nil); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsCarryStatusMessageAndClass(t *testing.T) {
	f := &fakeDaemon{min: "1.12", max: "1.41", handler: func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1.41/containers/nope/json":
			w.WriteHeader(404)
			w.Write([]byte(`{"message":"No such container: nope"}`))
		case "/v1.41/containers/busy":
			w.WriteHeader(409)
			w.Write([]byte("plain text conflict"))
		case "/v1.41/huge":
			w.WriteHeader(500)
			w.Write([]byte(strings.Repeat("x", 4<<20)))
		case "/v1.41/containers/up/start":
			w.WriteHeader(304)
		case "/v1.41/redirect":
			http.Redirect(w, r, "http://example.invalid/steal", http.StatusFound)
		}
	}}
	c := f.start(t)
	ctx := context.Background()

	err := c.DoJSON(ctx, NewRequest("ContainerInspect", "1.41", "GET", "/containers/nope/json"), nil)
	var de *Error
	if !errors.As(err, &de) || de.StatusCode != 404 || de.Message != "No such container: nope" || de.Op != "ContainerInspect" || de.APIVersion != "1.41" {
		t.Fatalf("404: %#v", err)
	}
	if !IsNotFound(err) || IsConflict(err) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("404 classes wrong for %v", err)
	}
	if got := err.Error(); got != "docker: ContainerInspect (API 1.41): 404 Not Found: No such container: nope" {
		t.Fatalf("message = %q", got)
	}

	err = c.DoNoContent(ctx, NewRequest("ContainerDelete", "1.41", "DELETE", "/containers/busy"))
	if !IsConflict(err) || !strings.Contains(err.Error(), "plain text conflict") {
		t.Fatalf("409: %v", err)
	}

	err = c.DoNoContent(ctx, NewRequest("Huge", "1.41", "GET", "/huge"))
	if !errors.Is(err, ErrServer) || len(err.Error()) > maxMessage+256 {
		t.Fatalf("oversized error body: class %v, message of %d bytes", errors.Is(err, ErrServer), len(err.Error()))
	}

	if err := c.DoNoContent(ctx, NewRequest("ContainerStart", "1.41", "POST", "/containers/up/start")); err != nil {
		t.Fatalf("304 (already started) should not be an error: %v", err)
	}

	err = c.DoNoContent(ctx, NewRequest("Redirect", "1.41", "GET", "/redirect"))
	if de, ok := err.(*Error); !ok || de.StatusCode != http.StatusFound {
		t.Fatalf("a redirect must not be followed (it could carry credentials): %v", err)
	}
}

func TestConnectErrorNamesTheHost(t *testing.T) {
	c, err := New(WithHost("unix:///nonexistent/docker.sock"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Ping(context.Background())
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want *ConnectError", err, err)
	}
	if want := "docker: no Docker daemon answers at unix:///nonexistent/docker.sock (no such socket)"; err.Error() != want {
		t.Fatalf("message = %q, want %q", err, want)
	}
}

func TestCallValidatesBeforeSending(t *testing.T) {
	f := &fakeDaemon{min: "1.12", max: "1.41"}
	c := f.start(t)
	ctx := context.Background()
	cases := []struct {
		op   string
		args Args
		want string
	}{
		{"ContainerLsit", nil, `no operation "ContainerLsit" in any API version`},
		{"VolumeUpdate", Args{"name": "v"}, "docker: VolumeUpdate needs API v1.42 or newer; the call was to use v1.41 (the daemon speaks 1.12 to 1.41; this SDK 1.25 to " + MaxAPIVersion + ")"},
		{"ContainerArchiveHead", Args{"id": "x", "path": "/"}, "docker: ContainerArchiveHead exists in API v1.25 to v1.27 only; the call was to use v1.41 (the daemon speaks 1.12 to 1.41"},
		{"ContainerList", Args{"al": true}, `parameter "al" is unknown in API v1.41; ContainerList takes all, limit, size, filters`},
		{"ContainerList", Args{"all": "yes"}, `parameter "all" must be a bool, not string`},
		{"ContainerList", Args{"limit": 1.5}, `parameter "limit" must be an integer, not float64`},
		{"ContainerList", Args{"filters": "{not json"}, `parameter "filters" is a string but not valid JSON`},
		{"ContainerInspect", Args{}, `parameter "id" is required (API v1.41)`},
		{"ContainerRename", Args{"id": "x"}, `parameter "name" is required`},
		{"ContainerCreate", Args{"name": "x"}, `parameter "body" is required`},
		{"ImagePush", Args{"name": "x", "X-Registry-Auth": "secret"}, `must be a docker.AuthConfig`},
		{"ContainerAttach", Args{"id": "x"}, `out must be a **docker.HijackedConn, not <nil>`},
		{"ContainerAttachWebsocket", Args{"id": "x"}, `out must be a **docker.WebSocketConn, not <nil>`},
		{"ContainerCreate", Args{"body": 42}, `parameter "body" must be a JSON object (a struct, a map or json.RawMessage of an object), not int`},
		{"ContainerCreate", Args{"body": []string{"sh"}}, `parameter "body" must be a JSON object`},
	}
	for _, tc := range cases {
		err := c.Call(ctx, tc.op, tc.args, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Call(%s, %v): err = %v, want it to say %q", tc.op, tc.args, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error repeats an argument's value: %v", err)
		}
	}
	if n := f.hits.Load(); n != 0 {
		t.Fatalf("%d invalid calls reached the daemon", n)
	}
	var text string
	var list []map[string]any
	outs := []struct {
		op   string
		args Args
		out  any
		want string
	}{
		{"SystemPing", nil, &text, "out must be nil or an *http.Header: the operation answers with headers only, not *string"},
		{"ContainerStart", Args{"id": "x"}, &list, "out must be nil: the operation answers with no content, not *[]map[string]interface {}"},
		{"ContainerList", nil, list, "out must be nil or a non-nil pointer to decode JSON into, not []map[string]interface {}"},
	}
	for _, tc := range outs {
		if err := c.Call(ctx, tc.op, tc.args, tc.out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Call(%s) into %T: err = %v, want it to say %q", tc.op, tc.out, err, tc.want)
		}
	}
	if n := f.hits.Load(); n != 0 {
		t.Fatalf("%d calls with a bad out reached the daemon", n)
	}
	err := c.Call(ctx, "VolumeUpdate", Args{"name": "v"}, nil)
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Op != "VolumeUpdate" || ve.Want != "1.41" ||
		ve.Daemon != (VersionRange{Min: "1.12", Max: "1.41"}) || ve.OpVersions.Min != "1.42" || ve.OpVersions.Max == "" {
		t.Fatalf("VolumeUpdate on 1.41: %#v, want every field filled", ve)
	}
}

func TestCallSendsWhatWasGiven(t *testing.T) {
	var got []string
	f := &fakeDaemon{min: "1.12", max: "1.41", handler: func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, fmt.Sprintf("%s %s?%s %s", r.Method, r.URL.Path, r.URL.RawQuery, body))
		w.Write([]byte(`[{"Id":"abc"}]`))
	}}
	c := f.start(t)
	var out []map[string]any
	err := c.Call(context.Background(), "ContainerList", Args{"all": true, "limit": 2, "filters": Filters{"status": {"running"}}}, &out)
	if err != nil || len(out) != 1 || out[0]["Id"] != "abc" {
		t.Fatalf("Call = %v, %v", out, err)
	}
	if want := `GET /v1.41/containers/json?all=true&limit=2&filters=%7B%22status%22%3A%5B%22running%22%5D%7D `; got[0] != want {
		t.Fatalf("sent %q\nwant %q", got[0], want)
	}
	err = c.Call(context.Background(), "ContainerCreate", Args{"name": "web", "body": map[string]any{"Image": "busybox"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "POST /v1.41/containers/create?name=web {\"Image\":\"busybox\"}"; got[1] != want {
		t.Fatalf("sent %q, want %q", got[1], want)
	}
	// Optional bodies left out go as {} or [], as the typed methods send
	// them: daemons before 23.0 fail on no body.
	if err := c.Call(context.Background(), "ImageCommit", Args{"container": "web"}, nil); err != nil {
		t.Fatal(err)
	}
	if want := "POST /v1.41/commit?container=web {}"; got[2] != want {
		t.Fatalf("sent %q, want %q", got[2], want)
	}
}

func TestOperationsListsAVersion(t *testing.T) {
	ops := Operations("1.41")
	has := map[string]bool{}
	for _, op := range ops {
		has[op] = true
	}
	if !has["ContainerList"] || has["VolumeUpdate"] || !has["ContainerArchive"] || has["ContainerGetArchive"] {
		t.Fatalf("Operations(1.41) wrong: %d ops", len(ops))
	}
	if !has["ExecStart"] || len(ops) < 100 {
		t.Fatalf("Operations(1.41) has %d ops", len(ops))
	}
	if n := len(Operations("1.25")); n < 90 {
		t.Fatalf("Operations(1.25) has %d ops", n)
	}
}

// An *io.ReadCloser receives a JSON result's body once the headers arrive,
// before the value: ContainerWait answers so once the wait is registered.
func TestCallHandsOverJSONBodyAtHeaders(t *testing.T) {
	release := make(chan struct{})
	f := &fakeDaemon{min: "1.12", max: "1.41", handler: func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-release
		w.Write([]byte(`{"StatusCode":3}`))
	}}
	c := f.start(t)
	var body io.ReadCloser
	err := c.Call(context.Background(), "ContainerWait", Args{"id": "x", "condition": "next-exit"}, &body)
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil || string(b) != `{"StatusCode":3}` {
		t.Fatalf("body %q, %v", b, err)
	}
}
