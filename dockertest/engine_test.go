package dockertest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dockerclient/docker/internal/apispec"
)

// ---- loading specs ----

func loadSpec(t testing.TB, version string) *apispec.Spec {
	t.Helper()
	sp, err := apispec.Load(version)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func allVersions(t testing.TB) []string { return apispec.Versions() }

func minor(v string) int { return apispec.Minor(v) }

// startServer starts a server whose failures the test reads itself.
func startServer(t *testing.T, version string) *Server {
	t.Helper()
	s, err := NewServer(version)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (s *Server) url() string { return "http://" + strings.TrimPrefix(s.Host(), "tcp://") }

// callCounts says how many calls each operation had.
func (s *Server) callCounts() map[string]int {
	m := map[string]int{}
	for _, c := range s.Calls() {
		m[c.Op]++
	}
	return m
}

// ---- requests ----

type req struct {
	method, path string // path without the /vX.Y prefix unless raw
	raw          bool   // path is sent as is
	query        string
	header       map[string]string
	body         string
	contentType  string
}

func (r req) send(t *testing.T, s *Server) *http.Response {
	t.Helper()
	u := s.url()
	if !r.raw {
		u += "/v" + s.version
	}
	u += r.path
	if r.query != "" {
		u += "?" + r.query
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	} else if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func (r req) do(t *testing.T, s *Server) (*http.Response, []byte) {
	t.Helper()
	resp := r.send(t, s)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func b64url(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }

func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

// ---- the checks ----

func TestRequests(t *testing.T) {
	tarBody := string(smallTar())
	// A credential whose standard base64 has a '/' or '+' in it.
	stdAuth := base64.StdEncoding.EncodeToString([]byte(`{"username":"u","password":"??>>~~"}`))
	cases := []struct {
		name   string
		since  int // first minor version the case applies to
		r      req
		op     string // the operation it must match ("" = none)
		status int    // 0: any 2xx
		fail   string // a substring of the one failure expected, "" = none
	}{
		{name: "list", r: req{method: "GET", path: "/containers/json", query: q("all", "true", "limit", "5", "size", "0", "filters", `{"status":["running"]}`)}, op: "ContainerList"},
		{name: "old filters form", r: req{method: "GET", path: "/containers/json", query: q("filters", `{"status":{"running":true}}`)}, op: "ContainerList"},
		{name: "unknown query", r: req{method: "GET", path: "/containers/json", query: q("bogus", "1")}, op: "ContainerList", fail: `unknown query parameter "bogus"`},
		{name: "query name wrong case", r: req{method: "GET", path: "/containers/json", query: q("All", "1")}, op: "ContainerList", fail: `unknown query parameter "All" (did you mean all?) (the operation declares all, filters, limit, size)`},
		{name: "bool as dockerd reads it", r: req{method: "GET", path: "/containers/json", query: q("all", "True")}, op: "ContainerList"},
		{name: "bad integer", r: req{method: "GET", path: "/containers/json", query: q("limit", "ten")}, op: "ContainerList", fail: "not an integer"},
		{name: "filters not JSON", r: req{method: "GET", path: "/containers/json", query: q("filters", "status=running")}, op: "ContainerList", fail: "not JSON"},
		{name: "filters wrong shape", r: req{method: "GET", path: "/containers/json", query: q("filters", `{"status":"running"}`)}, op: "ContainerList", fail: "want an object of string arrays"},
		{name: "repeated scalar", r: req{method: "GET", path: "/containers/json", query: "all=1&all=0"}, op: "ContainerList", fail: "given 2 times"},
		{name: "missing required query", r: req{method: "POST", path: "/containers/abc/rename"}, op: "ContainerRename", fail: `required query parameter "name" is missing`},
		{name: "empty required query", r: req{method: "POST", path: "/containers/abc/rename", query: "name="}, op: "ContainerRename", fail: `required query parameter "name" is empty`},
		{name: "upgrade on a plain operation", r: req{method: "GET", path: "/containers/abc/logs", query: q("stdout", "1"), header: map[string]string{"Connection": "Upgrade", "Upgrade": "tcp"}}, op: "ContainerLogs", fail: "not hijacked"},
		{name: "required query", r: req{method: "POST", path: "/containers/abc/rename", query: q("name", "new")}, op: "ContainerRename"},
		{name: "enum", since: 30, r: req{method: "POST", path: "/containers/abc/wait", query: q("condition", "removed")}, op: "ContainerWait"},
		{name: "bad enum", since: 30, r: req{method: "POST", path: "/containers/abc/wait", query: q("condition", "gone")}, op: "ContainerWait", fail: "is not one of"},
		{name: "create", r: req{method: "POST", path: "/containers/create", query: q("name", "c1"), body: `{"Image":"busybox","Cmd":["sh"],"Tty":true,"HostConfig":{"Memory":1024,"Binds":["/a:/b"]}}`}, op: "ContainerCreate", status: 201},
		{name: "body null values", r: req{method: "POST", path: "/containers/create", body: `{"Image":"busybox","Cmd":null,"HostConfig":null}`}, op: "ContainerCreate", status: 201},
		{name: "body wrong type", r: req{method: "POST", path: "/containers/create", body: `{"Image":5}`}, op: "ContainerCreate", fail: "body.Image: want string, got number"},
		{name: "body float for integer", r: req{method: "POST", path: "/containers/create", body: `{"Image":"b","HostConfig":{"Memory":1.5}}`}, op: "ContainerCreate", fail: "body.HostConfig.Memory: want integer"},
		{name: "body unknown property", r: req{method: "POST", path: "/containers/create", body: `{"Image":"b","Imagee":"b"}`}, op: "ContainerCreate", fail: `unknown property "Imagee" (did you mean Image?)`},
		{name: "body nested array item", r: req{method: "POST", path: "/containers/create", body: `{"Image":"b","Cmd":["sh",1]}`}, op: "ContainerCreate", fail: "body.Cmd[1]: want string"},
		{name: "body missing", r: req{method: "POST", path: "/containers/create"}, op: "ContainerCreate", fail: "required body"},
		{name: "body not JSON", r: req{method: "POST", path: "/containers/create", body: `{"Image":`}, op: "ContainerCreate", fail: "body is not JSON"},
		{name: "body content type", r: req{method: "POST", path: "/containers/create", body: `{"Image":"b"}`, contentType: "text/plain"}, op: "ContainerCreate", fail: "Content-Type"},
		{name: "body where none is declared", r: req{method: "POST", path: "/containers/abc/pause", body: `{}`}, op: "ContainerPause", fail: "declares none"},
		{name: "tar body", r: req{method: "POST", path: "/build", query: q("t", "a:b", "buildargs", `{"A":"1","B":null}`, "labels", `{"l":"v"}`), body: tarBody, contentType: "application/x-tar"}, op: "ImageBuild"},
		{name: "tar body any content type", r: req{method: "PUT", path: "/containers/abc/archive", query: q("path", "/tmp"), body: tarBody, contentType: "application/octet-stream"}, op: "PutContainerArchive|ContainerPutArchive"},
		{name: "tar body missing", r: req{method: "PUT", path: "/containers/abc/archive", query: q("path", "/tmp")}, op: "PutContainerArchive|ContainerPutArchive", fail: "required body"},
		{name: "buildargs wrong shape", r: req{method: "POST", path: "/build", query: q("buildargs", `["A=1"]`), body: tarBody, contentType: "application/x-tar"}, op: "ImageBuild", fail: "want an object of strings"},
		{name: "registry auth", r: req{method: "POST", path: "/images/registry:5000/team/app/push", query: q("tag", "v1"), header: map[string]string{"X-Registry-Auth": b64url(`{"username":"u"}`)}}, op: "ImagePush"},
		{name: "registry auth unpadded", r: req{method: "POST", path: "/images/app/push", header: map[string]string{"X-Registry-Auth": strings.TrimRight(b64url(`{"a":1}`), "=")}}, op: "ImagePush"},
		{name: "registry auth standard base64", r: req{method: "POST", path: "/images/app/push", header: map[string]string{"X-Registry-Auth": stdAuth}}, op: "ImagePush", fail: "standard base64"},
		{name: "registry auth not an object", r: req{method: "POST", path: "/images/app/push", header: map[string]string{"X-Registry-Auth": b64url(`"u"`)}}, op: "ImagePush", fail: "JSON object"},
		{name: "registry auth missing", r: req{method: "POST", path: "/images/app/push"}, op: "ImagePush", fail: `required header "X-Registry-Auth"`},
		{name: "registry config", r: req{method: "POST", path: "/build", header: map[string]string{"X-Registry-Config": "not base64!"}, body: tarBody, contentType: "application/x-tar"}, op: "ImageBuild", fail: "X-Registry-Config: is not base64url"},
		{name: "image name with slashes", r: req{method: "GET", path: "/images/registry:5000/team/app:v1/json"}, op: "ImageInspect"},
		{name: "image name escaped", r: req{method: "GET", path: "/images/team%2Fapp/json"}, op: "ImageInspect"},
		{name: "image list is not an inspect", r: req{method: "GET", path: "/images/json"}, op: "ImageList"},
		{name: "image named json", r: req{method: "GET", path: "/images/json/json"}, op: "ImageInspect"},
		{name: "image delete with slashes", r: req{method: "DELETE", path: "/images/team/app/json"}, op: "ImageDelete"},
		{name: "image tag with slashes", r: req{method: "POST", path: "/images/team/app/tag", query: q("repo", "x/y", "tag", "t")}, op: "ImageTag", status: 201},
		{name: "distribution with slashes", since: 30, r: req{method: "GET", path: "/distribution/docker.io/library/busybox:latest/json"}, op: "DistributionInspect"},
		{name: "plugin with slashes", r: req{method: "POST", path: "/plugins/vieux/sshfs:latest/enable"}, op: "PluginEnable"},
		{name: "plugin privileges is literal", since: 27, r: req{method: "GET", path: "/plugins/privileges", query: q("remote", "vieux/sshfs")}, op: "GetPluginPrivileges"},
		{name: "archive head", r: req{method: "HEAD", path: "/containers/abc/archive", query: q("path", "/")}, op: "ContainerArchiveInfo|ContainerArchiveHead"},
		{name: "versioned ping", r: req{method: "GET", path: "/_ping"}, op: "SystemPing"},
		{name: "no version prefix (the served version)", r: req{method: "GET", path: "/containers/json", raw: true}, op: "ContainerList"},
		{name: "other version prefix", r: req{method: "GET", path: "/v1.12/containers/json", raw: true}, op: "ContainerList", fail: "does not start with /v"},
		{name: "unknown path", r: req{method: "GET", path: "/nothing/here"}, status: 404, fail: "no operation"},
		{name: "empty path parameter", r: req{method: "GET", path: "/containers//json"}, status: 404, fail: "no operation"},
		{name: "undeclared method", r: req{method: "PUT", path: "/containers/json"}, status: 405, fail: "declares only GET"},
		{name: "unversioned version", r: req{method: "GET", path: "/version", raw: true}},
		{name: "unversioned ping", r: req{method: "HEAD", path: "/_ping", raw: true}},
	}
	for _, version := range []string{"1.25", "1.41", "1.56"} {
		s := startServer(t, version)
		for _, c := range cases {
			if minor(version) < c.since {
				continue
			}
			t.Run(version+"/"+c.name, func(t *testing.T) {
				s.reset()
				resp, body := c.r.do(t, s)
				want := c.status
				if want == 0 && c.fail != "" {
					want = http.StatusBadRequest // as the daemon answers a bad request
				}
				if want == 0 && resp.StatusCode/100 != 2 || want != 0 && resp.StatusCode != want {
					t.Errorf("status %d, want %v: %s", resp.StatusCode, or(strconv.Itoa(want), "2xx"), body)
				}
				calls := s.callCounts()
				if c.op == "" {
					if len(calls) != 0 {
						t.Errorf("calls %v, want none", calls)
					}
				} else if len(calls) != 1 || !opIn(calls, c.op) {
					t.Errorf("calls %v, want one call of %s", calls, c.op)
				}
				f := s.failures()
				switch {
				case c.fail == "" && len(f) > 0:
					t.Errorf("unexpected failures: %q", f)
				case c.fail != "" && (len(f) != 1 || !strings.Contains(f[0], c.fail)):
					t.Errorf("failures %q, want one containing %q", f, c.fail)
				case c.fail != "" && c.op != "" && !hasOpPrefix(f[0], c.op):
					t.Errorf("failure %q does not start with the operationId", f[0])
				}
			})
		}
	}
}

func hasOpPrefix(failure, ops string) bool {
	for _, op := range strings.Split(ops, "|") {
		if strings.HasPrefix(failure, op+": ") {
			return true
		}
	}
	return false
}

func opIn(calls map[string]int, ops string) bool {
	for _, op := range strings.Split(ops, "|") {
		if calls[op] == 1 {
			return true
		}
	}
	return false
}

func TestMatch(t *testing.T) {
	routes := buildRoutes(loadSpec(t, "1.56"))
	for _, c := range []struct {
		method, path, op, param string // param: the {id} or {name} matched
		allowed                 string
	}{
		{method: "GET", path: "/containers/json", op: "ContainerList"},
		{method: "GET", path: "/containers/abc/json", op: "ContainerInspect", param: "abc"},
		{method: "GET", path: "/images/json", op: "ImageList"},
		{method: "GET", path: "/images/json/json", op: "ImageInspect", param: "json"},
		{method: "GET", path: "/images/registry:5000/team/app:v1/json", op: "ImageInspect", param: "registry:5000/team/app:v1"},
		{method: "GET", path: "/images/team%2Fapp/json", op: "ImageInspect", param: "team/app"},
		{method: "POST", path: "/images/team/app/push", op: "ImagePush", param: "team/app"},
		{method: "POST", path: "/images/team/tag/push", op: "ImagePush", param: "team/tag"},
		{method: "DELETE", path: "/images/team/app/json", op: "ImageDelete", param: "team/app/json"},
		{method: "GET", path: "/images/team/app/get", op: "ImageGet", param: "team/app"},
		{method: "GET", path: "/images/get", op: "ImageGetAll"},
		{method: "GET", path: "/distribution/docker.io/library/busybox/json", op: "DistributionInspect", param: "docker.io/library/busybox"},
		{method: "POST", path: "/plugins/vieux/sshfs:latest/set", op: "PluginSet", param: "vieux/sshfs:latest"},
		{method: "DELETE", path: "/plugins/vieux/sshfs", op: "PluginDelete", param: "vieux/sshfs"},
		{method: "GET", path: "/plugins/privileges", op: "GetPluginPrivileges"},
		{method: "POST", path: "/containers/abc/json", allowed: "GET"},
		{method: "PUT", path: "/containers/abc", allowed: "DELETE"},
		// Any parameter may hold slashes when nothing else fits, as with
		// the daemon's router; a client never sends such an id anyway.
		{method: "GET", path: "/containers/a/b/json", op: "ContainerInspect", param: "a/b"},
		{method: "GET", path: "/containers//json"},
		{method: "GET", path: "/nothing"},
	} {
		rt, params, allowed := match(routes, c.method, c.path)
		got := ""
		if rt != nil {
			got = rt.op.ID
		}
		var p string
		for _, v := range params {
			p = v
		}
		if got != c.op || p != c.param || strings.Join(allowed, ",") != c.allowed {
			t.Errorf("%s %s: %q %q %v, want %q %q %v", c.method, c.path, got, p, allowed, c.op, c.param, c.allowed)
		}
	}
}

func TestResponses(t *testing.T) {
	for _, version := range []string{"1.25", "1.41", "1.56"} {
		t.Run(version, func(t *testing.T) {
			s := startServer(t, version)

			resp, body := req{method: "GET", path: "/containers/json"}.do(t, s)
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("ContainerList Content-Type %q", ct)
			}
			var list []map[string]any
			if err := json.Unmarshal(body, &list); err != nil || len(list) == 0 || len(list[0]) == 0 {
				t.Errorf("ContainerList: want an array of objects, got %s (%v)", body, err)
			}

			_, body = req{method: "GET", path: "/containers/abc/json"}.do(t, s)
			var inspect map[string]any
			if err := json.Unmarshal(body, &inspect); err != nil || inspect["Id"] == nil || inspect["State"] == nil {
				t.Errorf("ContainerInspect: want an object with Id and State, got %.200s (%v)", body, err)
			}

			resp, body = req{method: "POST", path: "/containers/abc/start"}.do(t, s)
			if resp.StatusCode != 204 || len(body) != 0 {
				t.Errorf("ContainerStart: %d %q, want 204 and no body", resp.StatusCode, body)
			}

			resp, body = req{method: "GET", path: "/_ping"}.do(t, s)
			if string(body) != "OK" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || resp.Header.Get("Api-Version") != version {
				t.Errorf("SystemPing: %q %v", body, resp.Header)
			}

			resp, body = req{method: "POST", path: "/swarm/init", body: `{"ListenAddr":"0.0.0.0:2377"}`}.do(t, s)
			var nodeID string
			if err := json.Unmarshal(body, &nodeID); err != nil || nodeID == "" {
				t.Errorf("SwarmInit: want a JSON string, got %q (%v)", body, err)
			}

			resp, body = req{method: "HEAD", path: "/containers/abc/archive", query: q("path", "/")}.do(t, s)
			if len(body) != 0 || resp.Header.Get("X-Docker-Container-Path-Stat") != pathStat {
				t.Errorf("ContainerArchiveInfo: %q %v", body, resp.Header)
			}

			// Unversioned: the version range, neither counted nor failed.
			resp, body = req{method: "GET", path: "/version", raw: true}.do(t, s)
			var v struct{ ApiVersion, MinAPIVersion, Version string }
			if err := json.Unmarshal(body, &v); err != nil || v.ApiVersion != version || v.MinAPIVersion != version {
				t.Errorf("/version: %s (%v)", body, err)
			}
			resp, _ = req{method: "HEAD", path: "/_ping", raw: true}.do(t, s)
			if resp.Header.Get("Api-Version") != version {
				t.Errorf("/_ping Api-Version %q", resp.Header.Get("Api-Version"))
			}
			if calls := s.callCounts(); calls["SystemVersion"] != 0 || calls["SystemPingHead"] != 0 {
				t.Errorf("unversioned calls counted: %v", calls)
			}
			if f := s.failures(); len(f) > 0 {
				t.Errorf("failures: %q", f)
			}
		})
	}
}

func TestStreams(t *testing.T) {
	for _, version := range []string{"1.25", "1.41", "1.56"} {
		t.Run(version, func(t *testing.T) {
			s := startServer(t, version)

			// Container output: one stdout and one stderr frame.
			resp, body := req{method: "GET", path: "/containers/abc/logs", query: q("stdout", "1", "stderr", "1")}.do(t, s)
			want := multiplexedStream // from 1.42 on; raw-stream before, as dockerd labelled it
			if !versionAtLeast(version, 1, 42) {
				want = rawStream
			}
			if ct := resp.Header.Get("Content-Type"); ct != want {
				t.Errorf("ContainerLogs Content-Type %q, want %q", ct, want)
			}
			frames := readFrames(t, body)
			if len(frames) != 2 || frames[0].stream != 1 || frames[1].stream != 2 ||
				frames[0].data != "hello from stdout\n" || frames[1].data != "hello from stderr\n" {
				t.Errorf("ContainerLogs frames %+v", frames)
			}

			// JSON streams: two values each.
			for _, r := range []req{
				{method: "GET", path: "/events", query: q("since", "1")},
				{method: "GET", path: "/containers/abc/stats"},
				{method: "POST", path: "/images/create", query: q("fromImage", "busybox", "tag", "latest")},
				{method: "POST", path: "/plugins/pull", query: q("remote", "vieux/sshfs")},
			} {
				resp, body := r.do(t, s)
				dec := json.NewDecoder(bytes.NewReader(body))
				var n int
				for ; ; n++ {
					var v map[string]any
					if err := dec.Decode(&v); err == io.EOF {
						break
					} else if err != nil || len(v) == 0 {
						t.Errorf("%s: value %d: %v %v", r.path, n, v, err)
						break
					}
				}
				if n != 2 || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
					t.Errorf("%s: %d values, status %d, %q", r.path, n, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}

			// Downloads: a tar, and for archives the path stat.
			resp, body = req{method: "GET", path: "/containers/abc/archive", query: q("path", "/f")}.do(t, s)
			tr := tar.NewReader(bytes.NewReader(body))
			if h, err := tr.Next(); err != nil || h.Name != "f" || resp.Header.Get("Content-Type") != "application/x-tar" {
				t.Errorf("ContainerArchive: %v %v", h, err)
			}
			var st struct {
				Name  string
				Size  int64
				Mode  uint32
				Mtime time.Time
			}
			raw, _ := base64.StdEncoding.DecodeString(resp.Header.Get("X-Docker-Container-Path-Stat"))
			if err := json.Unmarshal(raw, &st); err != nil || st.Name != "f" || st.Size != 1 || st.Mode != 0o644 {
				t.Errorf("path stat %q: %+v %v", raw, st, err)
			}
			_, body = req{method: "GET", path: "/images/team/app:v1/get"}.do(t, s)
			if _, err := tar.NewReader(bytes.NewReader(body)).Next(); err != nil {
				t.Errorf("ImageGet: %v", err)
			}
			if f := s.failures(); len(f) > 0 {
				t.Errorf("failures: %q", f)
			}
		})
	}
}

type frameT struct {
	stream byte
	data   string
}

func readFrames(t *testing.T, b []byte) []frameT {
	t.Helper()
	var out []frameT
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("truncated frame header %q", b)
		}
		n := binary.BigEndian.Uint32(b[4:8])
		if b[1] != 0 || b[2] != 0 || b[3] != 0 || int(n) > len(b)-8 {
			t.Fatalf("bad frame %q", b)
		}
		out = append(out, frameT{b[0], string(b[8 : 8+n])})
		b = b[8+n:]
	}
	return out
}

// hijack sends a raw upgrade request, then stdin, then half-closes, and
// returns the status and everything read after the response header.
func hijack(t *testing.T, s *Server, method, path, body, stdin string, upgrade bool) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.Host(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	hr, _ := http.NewRequest(method, s.url()+"/v"+s.version+path, strings.NewReader(body))
	if body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if upgrade {
		hr.Header.Set("Connection", "Upgrade")
		hr.Header.Set("Upgrade", "tcp")
	}
	if err := hr.Write(conn); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, hr)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusSwitchingProtocols &&
		(resp.Header.Get("Upgrade") != "tcp" || resp.Header.Get("Connection") != "Upgrade") {
		t.Errorf("101 without Connection/Upgrade: %v", resp.Header)
	}
	// The first frame arrives before the client writes anything.
	var hdr [8]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		t.Fatal(err)
	}
	first := make([]byte, binary.BigEndian.Uint32(hdr[4:]))
	io.ReadFull(br, first)
	io.WriteString(conn, stdin)
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, append(append(hdr[:], first...), rest...)
}

func TestHijack(t *testing.T) {
	for _, version := range []string{"1.25", "1.41", "1.56"} {
		t.Run(version, func(t *testing.T) {
			s := startServer(t, version)
			for _, c := range []struct {
				name, method, path, body string
				upgrade                  bool
				fail                     string
			}{
				{name: "attach", method: "POST", path: "/containers/abc/attach?stream=1&stdin=1&stdout=1", upgrade: true},
				{name: "exec", method: "POST", path: "/exec/abc/start", body: `{"Detach":false,"Tty":false}`, upgrade: true},
				{name: "no upgrade", method: "POST", path: "/containers/abc/attach?stream=1", upgrade: false, fail: "lacks Connection: Upgrade"},
				{name: "bad query", method: "POST", path: "/containers/abc/attach?stream=1&bogus=1", upgrade: true, fail: "unknown query parameter"},
			} {
				t.Run(c.name, func(t *testing.T) {
					s.reset()
					if c.fail != "" {
						// Refused before the upgrade, with the daemon's 400.
						r := req{method: c.method, path: c.path, body: c.body}
						if c.upgrade {
							r.header = map[string]string{"Connection": "Upgrade", "Upgrade": "tcp"}
						}
						r.path, r.query, _ = strings.Cut(c.path, "?")
						resp, body := r.do(t, s)
						f := s.failures()
						if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), c.fail) ||
							len(f) != 1 || !strings.Contains(f[0], c.fail) {
							t.Errorf("%d %s, failures %q, want 400 and %q", resp.StatusCode, body, f, c.fail)
						}
						return
					}
					status, out := hijack(t, s, c.method, c.path, c.body, "ping\n", c.upgrade)
					if status != http.StatusSwitchingProtocols {
						t.Errorf("status %d", status)
					}
					fr := readFrames(t, out)
					if len(fr) != 2 || fr[0].data != "hello from stdout\n" || fr[1] != (frameT{1, "ping\n"}) {
						t.Errorf("frames %+v", fr)
					}
					f := s.failures()
					if c.fail == "" && len(f) > 0 || c.fail != "" && (len(f) != 1 || !strings.Contains(f[0], c.fail)) {
						t.Errorf("failures %q, want %q", f, c.fail)
					}
				})
			}
		})
	}
}

// TestCloseEndsHijacks: Close must not wait for a client that never
// half-closes, and must leave no goroutine behind.
func TestCloseEndsHijacks(t *testing.T) {
	loadSpec(t, "1.41")
	before := runtime.NumGoroutine()
	s, err := NewServer("1.41")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.Host(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /v1.41/containers/abc/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	br := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 101 {
		t.Fatalf("%v %v", resp, err)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close is stuck on a hijacked connection")
	}
	if _, err := io.ReadAll(br); err != nil {
		t.Logf("read after Close: %v", err)
	}
	conn.Close()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// ---- every operation of every version ----

// sweepRequest builds a conforming request for an operation from the spec:
// every path parameter "x", every query parameter (required or not) a
// valid value, required headers, and a body when one is declared.
func sweepRequest(s *Server, rt *route) (method, path string, header http.Header, body []byte) {
	header = http.Header{}
	path = "/v" + s.version
	for _, seg := range rt.segs {
		if seg.param != "" {
			path += "/x"
		} else {
			path += "/" + seg.lit
		}
	}
	query := url.Values{}
	for _, p := range rt.op.Params {
		switch p.In {
		case "query":
			isJSON := p.JSON
			if p.Type == "array" && p.Items != nil {
				isJSON = isJSON || p.Items.JSON
				v := sampleValue(p.Name, p.Items.Type, p.Items.Enum, isJSON)
				if p.CollectionFormat == "multi" {
					query.Add(p.Name, v)
					query.Add(p.Name, v)
				} else {
					query.Add(p.Name, v)
				}
				continue
			}
			query.Add(p.Name, sampleValue(p.Name, p.Type, p.Enum, isJSON))
		case "header":
			switch {
			case strings.HasPrefix(p.Name, "X-Registry"):
				header.Set(p.Name, b64url(`{}`))
			case len(p.Enum) > 0:
				header.Set(p.Name, fmt.Sprint(p.Enum[0]))
			case p.Required:
				header.Set(p.Name, "x")
			}
		case "body":
			if s.isStringSchema(p.Schema) {
				body = smallTar()
				if header.Get("Content-Type") == "" {
					header.Set("Content-Type", "application/x-tar")
				}
				continue
			}
			g := synthesizer{schemas: s.schemas, maxDepth: maxDepth, strict: true}
			body, _ = json.Marshal(g.value(p.Schema, "body", 0, nil))
			header.Set("Content-Type", "application/json")
		}
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	return rt.method, path, header, body
}

func sampleValue(name, typ string, enum []any, isJSON bool) string {
	switch {
	case isJSON:
		return sampleJSON(name)
	case len(enum) > 0:
		return fmt.Sprint(enum[0])
	case typ == "boolean":
		return "true"
	case typ == "integer":
		return "1"
	case typ == "number":
		return "1.5"
	}
	return "x"
}

func sampleJSON(name string) string {
	switch name {
	case "filters":
		return `{"label":["a=b"]}`
	case "labels", "buildargs":
		return `{"a":"b"}`
	case "cachefrom":
		return `["a"]`
	case "platform":
		return `{"os":"linux","architecture":"amd64"}`
	}
	return `{}`
}

func TestEveryOperation(t *testing.T) {
	versions := allVersions(t)
	var total atomic.Int64
	t.Cleanup(func() {
		t.Logf("every operation: %d requests over %d specs, each matched to its operation", total.Load(), len(versions))
	})
	for _, version := range versions {
		t.Run(version, func(t *testing.T) {
			t.Parallel() // loading a spec is the slow part
			s := startServer(t, version)
			for _, rt := range s.routes {
				sweepOne(t, s, rt)
			}
			total.Add(int64(len(s.routes)))
			t.Logf("v%s: %d operations", version, len(s.routes))
		})
	}
}

func sweepOne(t *testing.T, s *Server, rt *route) {
	t.Helper()
	method, path, header, body := sweepRequest(s, rt)
	s.reset()
	var ct string
	var out []byte
	if rt.stream == "hijack" || rt.stream == "websocket" {
		if rt.stream == "websocket" {
			header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			header.Set("Sec-WebSocket-Version", "13")
			header.Set("Origin", "http://localhost")
		}
		status, b := hijackRaw(t, s, method, path, header, body)
		if status != http.StatusSwitchingProtocols {
			t.Errorf("%s: status %d", rt.op.ID, status)
		}
		out = b
	} else {
		hr, _ := http.NewRequest(method, s.url()+path, bytes.NewReader(body))
		hr.Header = header
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		out, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		ct = resp.Header.Get("Content-Type")
		if resp.StatusCode/100 != 2 {
			t.Errorf("%s %s: status %d", rt.op.ID, path, resp.StatusCode)
		}
	}
	if calls := s.callCounts(); len(calls) != 1 || calls[rt.op.ID] != 1 {
		t.Errorf("%s %s: matched %v", rt.op.ID, path, calls)
	}
	if f := s.failures(); len(f) > 0 {
		t.Errorf("%s %s: %q", rt.op.ID, path, f)
	}
	// JSON answers (and JSON streams) must parse.
	if strings.Contains(ct, "json") && method != http.MethodHead {
		dec := json.NewDecoder(bytes.NewReader(out))
		for {
			var v any
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("%s: response is not JSON: %v: %.200s", rt.op.ID, err, out)
				break
			}
		}
	}
}

func hijackRaw(t *testing.T, s *Server, method, path string, header http.Header, body []byte) (int, []byte) {
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.Host(), "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	hr, _ := http.NewRequest(method, s.url()+path, bytes.NewReader(body))
	hr.Header = header
	hr.Header.Set("Connection", "Upgrade")
	proto := "tcp"
	if strings.HasSuffix(path, "/session") {
		proto = "h2c"
	}
	if header.Get("Sec-WebSocket-Key") != "" {
		proto = "websocket"
	}
	hr.Header.Set("Upgrade", proto)
	if err := hr.Write(conn); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, hr)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(br)
	return resp.StatusCode, out
}

// TestSpecOddities reports what in the specs needed care: it does not fail,
// it logs (run with -v).
func TestSpecOddities(t *testing.T) {
	bad := map[string][]string{} // "Def: why" -> versions
	greedy := map[string]bool{}
	no2xx := map[string]bool{}
	for _, version := range allVersions(t) {
		sw := loadSpec(t, version)
		g := synthesizer{schemas: schemas{defs: sw.Definitions}, maxDepth: maxDepth, badExamples: map[string]string{}}
		for _, rt := range buildRoutes(sw) {
			code, resp := pickResponse(rt.op)
			if resp == nil || code/100 != 2 && code != 101 {
				no2xx[rt.op.ID] = true
				continue
			}
			if resp.Schema != nil {
				g.value(resp.Schema, rt.op.ID, 0, nil)
			}
			for _, seg := range rt.segs {
				if seg.param == "name" {
					greedy[rt.method+" "+rt.template] = true
				}
			}
		}
		for _, why := range g.badExamples {
			bad[why] = append(bad[why], version) // why starts with where
		}
	}
	keys := make([]string, 0, len(bad))
	for k := range bad {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := bad[k]
		t.Logf("example not used (does not fit its schema): %s [v%s..v%s, %d versions]", k, vs[0], vs[len(vs)-1], len(vs))
	}
	t.Logf("operations without a 2xx response: %d %v", len(no2xx), keysOf(no2xx))
	t.Logf("templates whose {name} may hold slashes: %d", len(greedy))
}
