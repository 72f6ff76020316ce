// Package contract is a fake Docker daemon for the SDK's contract tests. It
// serves one API version's spec: every request is checked against the
// operation it matches (path, method, query, headers, body) and answered
// with a response shaped by the spec, streams and hijacked connections
// included, so that the client's decoding is exercised too. What did not
// conform is collected for the test to report rather than failing the
// request, so that one defect does not hide the next.
package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/go-openapi/spec"
)

// maxDepth bounds synthesised values. Docker's specs have no $ref cycles
// (those would be cut anyway) but are deep: a limit of 6 left 439 objects
// and arrays empty over the 32 specs, 8 left 49, 10 none. 12 keeps every
// declared field in every answer, with a margin.
const maxDepth = 12

// Server is a spec-checking fake daemon for one API version.
type Server struct {
	URL string

	version string
	sw      *spec.Swagger
	routes  []*route
	schemas schemas
	ts      *httptest.Server

	mu       sync.Mutex
	failures []string
	calls    map[string]int

	// Hijacked connections outlive their HTTP request, so httptest does not
	// wait for them; Close closes them and waits for their handlers.
	hmu      sync.Mutex
	hijacked map[net.Conn]struct{}
	closing  bool
	hwg      sync.WaitGroup
}

// New starts a server for one spec version. sw is the already-loaded (and
// already-fixed) spec; version is like "1.41".
func New(sw *spec.Swagger, version string) *Server {
	s := &Server{
		version:  version,
		sw:       sw,
		routes:   buildRoutes(sw),
		schemas:  schemas{defs: sw.Definitions},
		calls:    map[string]int{},
		hijacked: map[net.Conn]struct{}{},
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL
	return s
}

// Close stops the server, ends hijacked connections, and waits for every
// handler to return.
func (s *Server) Close() {
	s.hmu.Lock()
	s.closing = true
	for c := range s.hijacked {
		c.Close()
	}
	s.hmu.Unlock()
	s.ts.Close()
	s.hwg.Wait()
}

// Failures returns every problem found so far, each "OpID: what was wrong"
// (or "METHOD /path: ..." when no operation matched).
func (s *Server) Failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.failures)
}

// Calls returns how many requests matched each operationId.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		m[k] = v
	}
	return m
}

// Reset forgets the failures and calls recorded so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
	s.calls = map[string]int{}
}

func (s *Server) record(who string, fails []string) {
	if len(fails) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range fails {
		s.failures = append(s.failures, who+": "+f)
	}
}

var versionPrefix = regexp.MustCompile(`^/v[0-9]+(\.[0-9]+)?(/|$)`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.serveUnversioned(w, r) {
		return
	}
	var fails []string
	path := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(path, "/v"+s.version); ok && (rest == "" || rest[0] == '/') {
		path = rest
	} else {
		fails = append(fails, fmt.Sprintf("path %s does not start with /v%s", path, s.version))
		if loc := versionPrefix.FindStringIndex(path); loc != nil {
			path = path[loc[1]-1:] // another version: still find the operation
		}
	}
	rt, _, allowed := match(s.routes, r.Method, path)
	if rt == nil {
		who := r.Method + " " + r.URL.Path
		status, msg := http.StatusNotFound, "no operation of API v"+s.version+" matches"
		if len(allowed) > 0 {
			status = http.StatusMethodNotAllowed
			msg += "; the path declares only " + strings.Join(allowed, ", ")
		}
		s.record(who, append(fails, msg))
		writeJSON(w, status, map[string]string{"message": "contract: " + who + ": " + msg})
		return
	}
	s.mu.Lock()
	s.calls[rt.op.ID]++
	s.mu.Unlock()

	// Read the whole body before answering: hijacking forbids reading it
	// later, and a server that answers early may reset the connection.
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<20))
	if err != nil {
		fails = append(fails, "reading the body: "+err.Error())
	}
	fails = append(fails, s.checkRequest(rt, r, body)...)
	proto := upgradeProtocol(rt.op.ID)
	upgrade := strings.EqualFold(r.Header.Get("Upgrade"), proto) && headerHasToken(r.Header, "Connection", "upgrade")
	switch {
	case (rt.stream == "hijack" || rt.stream == "websocket") && !upgrade:
		fails = append(fails, "hijack request lacks Connection: Upgrade and Upgrade: "+proto)
	case rt.stream != "hijack" && rt.stream != "websocket" && r.Header.Get("Upgrade") != "":
		fails = append(fails, "asks for Upgrade: "+r.Header.Get("Upgrade")+" but the operation is not hijacked")
	}
	s.record(rt.op.ID, fails)
	s.respond(w, r, rt)
}

// upgradeProtocol is what a hijacked operation asks to upgrade to: the
// daemon serves BuildKit sessions over h2c and every other stream over raw
// tcp.
func upgradeProtocol(op string) string {
	switch op {
	case "Session":
		return "h2c"
	case "ContainerAttachWebsocket":
		return "websocket"
	}
	return "tcp"
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// serveUnversioned answers what the SDK asks before its first versioned
// call, to learn the daemon's version range. These are neither failures nor
// calls.
func (s *Server) serveUnversioned(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.URL.Path == "/version" && r.Method == http.MethodGet:
		s.daemonHeaders(w.Header())
		writeJSON(w, http.StatusOK, map[string]string{"ApiVersion": s.version, "MinAPIVersion": "1.12", "Version": "fake"})
	case r.URL.Path == "/_ping" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.daemonHeaders(w.Header())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
		w.Header().Set("Pragma", "no-cache")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			io.WriteString(w, "OK")
		}
	default:
		return false
	}
	return true
}

// daemonHeaders are the headers dockerd sets on every response.
func (s *Server) daemonHeaders(h http.Header) {
	h.Set("Api-Version", s.version)
	h.Set("Docker-Experimental", "false")
	h.Set("Ostype", "linux")
	h.Set("Server", "Docker/fake (linux)")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"contract: cannot encode the response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
