// Package dockertest is a fake Docker daemon for tests of programs that talk
// to Docker, in Go or through the docker CLI. It serves one Engine API
// version (1.25 to 1.57) on loopback TCP or a unix socket, and checks every
// request against that version's spec: the method and path, the query
// parameters' names, types and required values, the headers and the body's
// shape. A request that does not conform fails the test, with what was wrong
// and what the spec allows, and is answered as the daemon answers a bad
// request: 400 with a JSON {"message": ...}.
//
// Every operation answers with a value shaped by the spec (streams and
// hijacked connections included) unless the test scripts it:
//
//	d := dockertest.Start(t, "1.47")
//	d.Answer("ContainerList", dockertest.Answer{Body: []map[string]any{{"Id": "abc", "Names": []string{"/web"}}}})
//	t.Setenv("DOCKER_HOST", d.Host())
//	... run the code under test ...
//	calls := d.Calls() // what it sent, decoded
//
// Scripted answers are checked against the spec too, so that a test cannot
// teach the code under test something no daemon would send. Faults (delays,
// error statuses, connections closed mid-body, truncated streams, slow
// reads) reproduce what daemons and proxies do when things go wrong.
//
// The package links nothing outside the standard library: the specs are
// compiled into tables by the SDK's generator (internal/apispec).
package dockertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dockerclient/docker/internal/apispec"
)

// maxDepth bounds synthesised values. Docker's specs have no $ref cycles
// (those would be cut anyway) but are deep: a limit of 6 left 439 objects
// and arrays empty over the 32 specs, 8 left 49, 10 none. 12 keeps every
// declared field in every answer, with a margin.
const maxDepth = 12

// maxBody bounds a request body the server holds whole to check and
// record it. A longer body fails the test and is answered 413 (a cut body
// would be checked, recorded or passed on as if it were whole). In record
// mode a body the spec declares as bytes (a build context, an image) is
// streamed to the upstream daemon instead, whatever its size.
var maxBody int64 = 256 << 20

// T is the part of *testing.T (or testing.TB) that Start needs: failures
// are reported with Errorf, the server stops in Cleanup.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Option configures a server.
type Option func(*config)

type config struct {
	listen     string
	report     func(string)
	replayFile string
	recordFile string
	upstream   string
	keepBodies int64
}

// DefaultKeepBodies is how much of each request's body a Call keeps
// unless KeepBodies says otherwise.
const DefaultKeepBodies = 1 << 20

// maxBodyReads bounds how many requests read a body the server holds whole
// at the same time (each up to maxBody): others wait their turn.
const maxBodyReads = 4

// Listen sets where the server listens: "unix:///path/to/docker.sock" or
// "tcp://127.0.0.1:PORT" (port 0 picks a free one). The default is
// "tcp://127.0.0.1:0". A unix socket is removed when the server stops.
func Listen(addr string) Option { return func(c *config) { c.listen = addr } }

// KeepBodies sets how many bytes of each request's body its Call keeps in
// RawBody (DefaultKeepBodies, 1 MiB, unless set); a longer body is kept
// cut, with BodyTruncated set. 0 keeps no bodies: a long-running fake
// daemon (cmd/fakedockerd) then holds no request bodies at all.
func KeepBodies(n int64) Option { return func(c *config) { c.keepBodies = max(n, 0) } }

// ReportTo sends each failure (a request, or an answer, that does not
// conform to the spec) to f as well. Start reports to the test's Errorf.
func ReportTo(f func(msg string)) Option { return func(c *config) { c.report = f } }

// Server is a fake daemon for one API version. Its methods may be called
// while it serves.
type Server struct {
	version string
	spec    *apispec.Spec
	routes  []*route
	schemas schemas
	host    string
	ln      net.Listener
	hs      *http.Server
	report  func(string)
	replay  *replayer
	record  *recorder
	keep    int64         // bytes of a body a Call keeps
	reads   chan struct{} // a token per body being read whole

	mu      sync.Mutex
	fails   []string
	calls   []Call
	scripts map[string]*script
	faults  map[string][]*faultState // "" holds the faults of every operation

	// Close ends hijacked connections, which outlive their HTTP request,
	// and waits for every handler.
	hmu      sync.Mutex
	hijacked map[net.Conn]struct{}
	closing  bool
	done     chan struct{}
	hwg      sync.WaitGroup
	closed   sync.Once
}

// Start starts a server for version (such as "1.47") and stops it when the
// test ends. Each request or scripted answer that does not conform to the
// spec fails the test through t.Errorf.
func Start(t T, version string, opts ...Option) *Server {
	t.Helper()
	report := ReportTo(func(msg string) { t.Errorf("%s", msg) })
	s, err := NewServer(version, append([]Option{report}, opts...)...)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewServer starts a server for version outside a test (cmd/fakedockerd
// uses it). Failures go to the function given with ReportTo, if any.
// Close stops it.
func NewServer(version string, opts ...Option) (*Server, error) {
	c := config{listen: "tcp://127.0.0.1:0", keepBodies: DefaultKeepBodies}
	for _, o := range opts {
		o(&c)
	}
	sp, err := apispec.Load(version)
	if err != nil {
		return nil, fmt.Errorf("dockertest: %w", err)
	}
	network, addr, err := parseListen(c.listen)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, fmt.Errorf("dockertest: %w", err)
	}
	s := &Server{
		version:  version,
		spec:     sp,
		routes:   buildRoutes(sp),
		schemas:  schemas{defs: sp.Definitions},
		ln:       ln,
		report:   c.report,
		keep:     c.keepBodies,
		reads:    make(chan struct{}, maxBodyReads),
		scripts:  map[string]*script{},
		faults:   map[string][]*faultState{},
		hijacked: map[net.Conn]struct{}{},
		done:     make(chan struct{}),
	}
	if network == "unix" {
		s.host = "unix://" + addr
	} else {
		s.host = "tcp://" + ln.Addr().String()
	}
	if c.replayFile != "" && c.recordFile != "" {
		ln.Close()
		return nil, fmt.Errorf("dockertest: Replay and Record exclude each other")
	}
	if c.replayFile != "" {
		if err := s.loadReplay(c.replayFile); err != nil {
			ln.Close()
			return nil, err
		}
	}
	if c.recordFile != "" {
		if s.record, err = newRecorder(c.recordFile, c.upstream); err != nil {
			ln.Close()
			return nil, err
		}
	}
	s.hs = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 30 * time.Second}
	go s.hs.Serve(ln)
	return s, nil
}

// parseListen reads a listen address: unix:///path or tcp://host:port on
// loopback. The fake daemon answers anyone who connects, so it never
// listens beyond the machine.
func parseListen(a string) (network, addr string, err error) {
	bad := func(why string) error {
		return fmt.Errorf("dockertest: listen address %q: %s; want unix:///path/to.sock or tcp://127.0.0.1:PORT", a, why)
	}
	switch {
	case strings.HasPrefix(a, "unix://"):
		p := strings.TrimPrefix(a, "unix://")
		if p == "" {
			return "", "", bad("no socket path")
		}
		return "unix", p, nil
	case strings.HasPrefix(a, "tcp://"):
		hp := strings.TrimPrefix(a, "tcp://")
		host, _, err := net.SplitHostPort(hp)
		if err != nil {
			return "", "", bad(err.Error())
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", "", bad("not a loopback address")
		}
		return "tcp", hp, nil
	}
	return "", "", bad("unknown scheme")
}

// Host is the server's address as DOCKER_HOST takes it: tcp://127.0.0.1:PORT
// or unix:///path.
func (s *Server) Host() string { return s.host }

// Version is the API version the server speaks, such as "1.47".
func (s *Server) Version() string { return s.version }

// Close stops the server: it closes the listener and every connection,
// hijacked ones included, and waits for every handler to return. A unix
// socket's file is removed. Close may be called more than once.
func (s *Server) Close() error {
	var err error
	s.closed.Do(func() {
		s.hmu.Lock()
		s.closing = true
		close(s.done)
		for c := range s.hijacked {
			c.Close()
		}
		s.hmu.Unlock()
		err = s.hs.Close()
		s.hwg.Wait()
		if s.record != nil {
			if e := s.record.close(s.version); err == nil {
				err = e
			}
		}
	})
	return err
}

// failures returns every problem found so far, each "OpID: what was wrong"
// (or "METHOD /path: ..." when no operation matched).
func (s *Server) failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.fails)
}

// reset forgets the failures and calls recorded so far.
func (s *Server) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = nil
	s.calls = nil
}

func (s *Server) fail(who string, fails []string) {
	if len(fails) == 0 {
		return
	}
	s.mu.Lock()
	var msgs []string
	for _, f := range fails {
		m := "dockertest: API v" + s.version + ": " + who + ": " + f
		s.fails = append(s.fails, who+": "+f)
		msgs = append(msgs, m)
	}
	report := s.report
	s.mu.Unlock()
	if report != nil {
		for _, m := range msgs {
			report(m)
		}
	}
}

// Call is one request the server matched to an operation.
type Call struct {
	Op         string            // operationId, such as "ContainerCreate"
	Method     string            // GET, POST, ...
	Path       string            // as sent, with its /v1.NN prefix if it had one
	PathParams map[string]string // {id}, {name}: unescaped
	Query      url.Values
	Header     http.Header
	// Body is a JSON body decoded into any (objects as map[string]any,
	// numbers as json.Number), or nil; RawBody is the body as sent, or
	// its first bytes (see KeepBodies).
	Body    any
	RawBody []byte
	// BodyTruncated says RawBody holds only the first bytes of the body
	// (Body is then nil); BodySize is the body's length.
	BodyTruncated bool
	BodySize      int64
}

// DecodeBody decodes the call's JSON body into v.
func (c Call) DecodeBody(v any) error {
	if c.BodyTruncated {
		return fmt.Errorf("dockertest: %s: the call keeps only the first %d of the body's %d bytes (see KeepBodies)", c.Op, len(c.RawBody), c.BodySize)
	}
	if len(c.RawBody) == 0 {
		return fmt.Errorf("dockertest: %s sent no body", c.Op)
	}
	return json.Unmarshal(c.RawBody, v)
}

// Calls returns every call so far, in the order they arrived. The
// unversioned /_ping and /version the clients send first are not calls.
// The calls are copies: changing one changes neither the server's nor
// another caller's.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.calls)
	for i := range out {
		c := &out[i]
		c.PathParams = maps.Clone(c.PathParams)
		c.Header = c.Header.Clone()
		if c.Query != nil {
			q := make(url.Values, len(c.Query))
			for k, vs := range c.Query {
				q[k] = slices.Clone(vs)
			}
			c.Query = q
		}
		c.RawBody = slices.Clone(c.RawBody)
	}
	return out
}

// ResetCalls forgets the calls so far, for a test that checks what one
// step sent.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// CallsOf returns the calls of one operation.
func (s *Server) CallsOf(op string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

var versionPrefix = regexp.MustCompile(`^/v[0-9]+(\.[0-9]+)?(/|$)`)

func (s *Server) enter() bool {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	if s.closing {
		return false
	}
	s.hwg.Add(1)
	return true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	defer s.hwg.Done()
	if s.record == nil && s.serveUnversioned(w, r) {
		return
	}
	if s.record != nil && (r.URL.Path == "/_ping" || r.URL.Path == "/version") {
		s.proxy(w, r, nil, nil, nil) // the real daemon's version range, unrecorded
		return
	}
	var fails []string
	path := r.URL.EscapedPath()
	// dockerd serves an unversioned path as its own (newest) version; the
	// fake's only version is that one. Another version's path is refused:
	// /version says the fake serves no other.
	if rest, ok := strings.CutPrefix(path, "/v"+s.version); ok && (rest == "" || rest[0] == '/') {
		path = rest
	} else if loc := versionPrefix.FindStringIndex(path); loc != nil {
		fails = append(fails, fmt.Sprintf("path %s does not start with /v%s, the only version served", path, s.version))
		path = path[loc[1]-1:] // another version: still find the operation
	}
	rt, params, allowed := match(s.routes, r.Method, path)
	if rt == nil {
		who := r.Method + " " + r.URL.Path
		status, msg := http.StatusNotFound, "no operation of API v"+s.version+" matches"
		if len(allowed) > 0 {
			status = http.StatusMethodNotAllowed
			msg += "; the path declares only " + strings.Join(allowed, ", ")
		}
		s.fail(who, append(fails, msg))
		if s.record != nil {
			s.proxy(w, r, nil, nil, r.Body)
			return
		}
		s.daemonHeaders(w.Header())
		writeJSON(w, status, map[string]string{"message": "dockertest: " + who + ": " + msg})
		return
	}
	// The fault's ReadRate applies now; it is taken once the request
	// passes its checks (in record mode, which answers even a bad request
	// from the upstream, now).
	f := s.findFault(rt.op.ID, s.record != nil)
	var body io.Reader = r.Body
	if f != nil && f.ReadRate > 0 {
		body = &slowReader{r: body, rate: f.ReadRate, done: s.done}
	}
	if s.record != nil && !s.hasJSONBody(rt) {
		s.recordStream(w, r, rt, params, fails, body)
		return
	}
	// Read the whole body before answering: hijacking forbids reading it
	// later, and a server that answers early may reset the connection.
	// A body of bytes is only counted beyond what the call keeps; a JSON
	// body is held whole, to check it.
	var raw []byte
	var size int64
	var err error
	if s.hasJSONBody(rt) {
		select {
		case s.reads <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		raw, err = io.ReadAll(io.LimitReader(body, maxBody+1))
		<-s.reads
		size = int64(len(raw))
		if size > maxBody {
			s.tooLarge(w, rt)
			return
		}
	} else {
		kept := &prefixWriter{max: s.keep}
		size, err = io.Copy(kept, body)
		raw = kept.buf.Bytes()
	}
	if err != nil {
		fails = append(fails, "reading the body: "+err.Error())
	}
	fails = append(fails, s.checkRequest(rt, r, raw, size)...)
	fails = append(fails, checkUpgrade(rt, r)...)
	call := s.addCall(rt, params, r, raw, size)
	if s.record != nil {
		s.proxy(w, r, rt, fails, bytes.NewReader(raw)) // what the real daemon answers, even to a bad request
		return
	}
	if len(fails) > 0 {
		s.fail(rt.op.ID, fails)
		s.daemonHeaders(w.Header())
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"message": "dockertest: " + rt.op.ID + ": " + strings.Join(fails, "; ")})
		return
	}
	if f = s.findFault(rt.op.ID, true); f != nil {
		if !s.sleep(r, f.Delay) {
			return
		}
		if f.Status != 0 {
			msg := f.Message
			if msg == "" {
				msg = http.StatusText(f.Status)
			}
			s.daemonHeaders(w.Header())
			writeJSON(w, f.Status, map[string]string{"message": msg})
			return
		}
	}
	var fw *faultWriter
	if f != nil && (f.Close || f.Truncate) {
		fw = &faultWriter{ResponseWriter: w, fault: f}
		w = fw
	}
	a := s.answerFor(rt, call)
	if a == nil && s.replay != nil {
		s.mu.Lock()
		var miss, cut bool
		a, miss, cut = s.replay.next(rt, call)
		s.mu.Unlock()
		if miss || cut {
			msg := fmt.Sprintf("no exchange of %s matches %s %s", s.replay.file, r.Method, r.URL.RequestURI())
			if cut {
				msg = fmt.Sprintf("the recording of %s %s in %s was cut (its answer was over what a recording keeps): it cannot be replayed", r.Method, r.URL.RequestURI(), s.replay.file)
			}
			s.fail(rt.op.ID, []string{msg})
			s.daemonHeaders(w.Header())
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "dockertest: " + rt.op.ID + ": " + msg})
			return
		}
	}
	s.respond(w, r, rt, a)
	if fw != nil {
		fw.finish(s, rt.op.ID)
	}
}

// tooLarge fails the test for a body over maxBody and answers 413: the
// fake daemon neither checks nor passes on a body it has cut.
func (s *Server) tooLarge(w http.ResponseWriter, rt *route) {
	msg := fmt.Sprintf("the request body is over the %d MiB dockertest holds whole; it was not checked, recorded or passed on", maxBody>>20)
	s.fail(rt.op.ID, []string{msg})
	s.daemonHeaders(w.Header())
	w.Header().Set("Connection", "close") // the rest of the body is not read
	writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "dockertest: " + rt.op.ID + ": " + msg})
}

// checkUpgrade returns what is wrong with a request's Upgrade headers.
func checkUpgrade(rt *route, r *http.Request) []string {
	proto := upgradeProtocol(rt.op.ID)
	upgrade := strings.EqualFold(r.Header.Get("Upgrade"), proto) && headerHasToken(r.Header, "Connection", "upgrade")
	switch {
	case (rt.stream == "hijack" || rt.stream == "websocket") && !upgrade:
		return []string{"hijack request lacks Connection: Upgrade and Upgrade: " + proto}
	case rt.stream != "hijack" && rt.stream != "websocket" && r.Header.Get("Upgrade") != "":
		return []string{"asks for Upgrade: " + r.Header.Get("Upgrade") + " but the operation is not hijacked"}
	}
	return nil
}

// addCall records a call and returns it.
// raw is the body or its first bytes, size its length; the call keeps
// at most s.keep bytes of it.
func (s *Server) addCall(rt *route, params map[string]string, r *http.Request, raw []byte, size int64) Call {
	c := Call{
		Op: rt.op.ID, Method: r.Method, Path: r.URL.Path, PathParams: params,
		Query: r.URL.Query(), Header: r.Header.Clone(), BodySize: size,
	}
	if size > s.keep {
		c.BodyTruncated = true
		raw = raw[:min(int64(len(raw)), s.keep)]
	}
	if len(raw) > 0 {
		c.RawBody = bytes.Clone(raw) // not the reader's larger buffer
	}
	if !c.BodyTruncated && len(raw) > 0 && strings.Contains(r.Header.Get("Content-Type"), "json") {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			c.Body = v
		}
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	return c
}

// sleep waits d, or until the request is cancelled or the server closes.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
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

// serveUnversioned answers what clients ask before their first versioned
// call, to learn the daemon's version range. These are neither failures nor
// calls.
func (s *Server) serveUnversioned(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.URL.Path == "/version" && r.Method == http.MethodGet:
		s.daemonHeaders(w.Header())
		writeJSON(w, http.StatusOK, map[string]string{"ApiVersion": s.version, "MinAPIVersion": s.version, "Version": "fake"})
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
		status, b = http.StatusInternalServerError, []byte(`{"message":"dockertest: cannot encode the response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// route finds an operation of the server's version by operationId.
func (s *Server) route(op string) *route {
	for _, rt := range s.routes {
		if rt.op.ID == op {
			return rt
		}
	}
	return nil
}

// unknownOp says that op is not an operation of the version, naming close
// ones.
func (s *Server) unknownOp(op string) string {
	var near []string
	for _, rt := range s.routes {
		if strings.EqualFold(rt.op.ID, op) || (len(op) > 4 && strings.Contains(rt.op.ID, op[:4])) {
			near = append(near, rt.op.ID)
		}
	}
	sort.Strings(near)
	msg := fmt.Sprintf("%q is not an operation of API v%s", op, s.version)
	if len(near) > 0 {
		msg += " (did you mean " + strings.Join(near, ", ") + "?)"
	}
	return msg
}
