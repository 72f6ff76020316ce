package dockertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
)

// maxRecorded bounds how much of one answer's body a recording keeps; the
// client gets all of it. A longer answer fails the test and is recorded
// as Truncated, without its body. 64 MiB holds an image list of a few
// hundred thousand images or a large log; bigger answers (image saves,
// exports) are not what a replayed test needs.
var maxRecorded = 64 << 20

// Record puts the server in front of a real daemon (upstream, as
// unix:///path or tcp://HOST:PORT): every call is checked against the spec
// as usual, then passed to the daemon, whose answer goes back to the
// client and into file, written when the server closes. Replay serves the
// file later, anywhere. A hijacked connection (attach, exec) is passed
// through both ways; only its status is recorded.
func Record(file, upstream string) Option {
	return func(c *config) { c.recordFile, c.upstream = file, upstream }
}

// recorder proxies to the upstream daemon and keeps the exchanges.
type recorder struct {
	file      string
	transport *http.Transport
	dial      func(ctx context.Context) (net.Conn, error)
	mu        sync.Mutex
	exchanges []Exchange
}

func newRecorder(file, upstream string) (*recorder, error) {
	var network, addr string
	switch {
	case strings.HasPrefix(upstream, "unix://"):
		network, addr = "unix", strings.TrimPrefix(upstream, "unix://")
	case strings.HasPrefix(upstream, "tcp://"):
		network, addr = "tcp", strings.TrimPrefix(upstream, "tcp://")
	default:
		return nil, fmt.Errorf("dockertest: upstream %q: want unix:///path or tcp://HOST:PORT", upstream)
	}
	if addr == "" {
		return nil, fmt.Errorf("dockertest: upstream %q has no address", upstream)
	}
	// Fail now, not at the first call, when the file cannot be written.
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("dockertest: %w", err)
	}
	f.Close()
	var d net.Dialer
	dial := func(ctx context.Context) (net.Conn, error) { return d.DialContext(ctx, network, addr) }
	return &recorder{
		file: file,
		dial: dial,
		transport: &http.Transport{
			DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) },
			DisableKeepAlives: false,
		},
	}, nil
}

// close writes the recording.
func (rc *recorder) close(version string) error {
	rc.transport.CloseIdleConnections()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	b, err := json.MarshalIndent(Recording{Version: version, Exchanges: rc.exchanges}, "", "  ")
	if err != nil {
		return fmt.Errorf("dockertest: %w", err)
	}
	if err := os.WriteFile(rc.file, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("dockertest: %w", err)
	}
	return nil
}

func (rc *recorder) add(e Exchange) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.exchanges = append(rc.exchanges, e)
}

// proxy passes one request to the upstream daemon. A request matched to
// an operation is checked and recorded; /_ping, /version and what matches
// nothing are only passed on.
func (s *Server) proxy(w http.ResponseWriter, r *http.Request, rt *route, fails []string, body io.Reader) {
	rc := s.record
	if rt != nil && len(fails) > 0 {
		s.fail(rt.op.ID, fails)
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, "http://docker"+r.URL.RequestURI(), nil)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "dockertest: " + err.Error()})
		return
	}
	out.Header = r.Header.Clone()
	switch br := body.(type) {
	case *bytes.Reader:
		out.ContentLength = int64(br.Len())
	default:
		out.ContentLength = r.ContentLength // -1: chunked, as the client sent it
	}
	if out.ContentLength != 0 {
		out.Body = io.NopCloser(body)
	}
	if r.Header.Get("Upgrade") != "" {
		s.proxyHijack(w, r, rt, out)
		return
	}
	resp, err := rc.transport.RoundTrip(out)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "dockertest: upstream: " + err.Error()})
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	// The headers now, before any body: a wait (ContainerWait) answers
	// its headers at once and its body when the container exits.
	flush(w)
	var kept bytes.Buffer
	cut := false
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if !cut && kept.Len()+n > maxRecorded {
				cut = true
				kept = bytes.Buffer{}
			}
			if !cut {
				kept.Write(buf[:n])
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				break
			}
			flush(w)
		}
		if err != nil {
			break
		}
	}
	if rt == nil {
		return
	}
	e := exchangeOf(rt, r, resp.StatusCode, resp.Header, kept.Bytes())
	if cut {
		e.Truncated = true
		s.fail(rt.op.ID, []string{fmt.Sprintf("the answer's body is over the %d MiB a recording keeps: the exchange is recorded as truncated, without a body, and replaying it fails", maxRecorded>>20)})
	}
	rc.add(e)
}

// recordStream passes a request whose body is bytes (a build context, an
// image, an archive) to the upstream daemon as it arrives, without holding
// it: the call keeps what KeepBodies says, and is checked once the body
// has gone through.
func (s *Server) recordStream(w http.ResponseWriter, r *http.Request, rt *route, params map[string]string, fails []string, body io.Reader) {
	kept := &prefixWriter{max: s.keep}
	// The call is added, and the failures reported, before the client
	// sees the answer, so that a test that reads Calls after it finds it.
	// The upstream has read the body by then, unless it answered early.
	finish := sync.OnceFunc(func() {
		fails = append(fails, s.checkRequest(rt, r, kept.buf.Bytes(), kept.n)...)
		fails = append(fails, checkUpgrade(rt, r)...)
		s.addCall(rt, params, r, kept.buf.Bytes(), kept.n)
		s.fail(rt.op.ID, fails)
	})
	defer finish()
	s.proxy(&beforeAnswer{ResponseWriter: w, before: finish}, r, rt, nil, io.TeeReader(body, kept))
}

// beforeAnswer calls before when the answer starts.
type beforeAnswer struct {
	http.ResponseWriter
	before func()
}

func (w *beforeAnswer) WriteHeader(code int) { w.before(); w.ResponseWriter.WriteHeader(code) }
func (w *beforeAnswer) Write(b []byte) (int, error) {
	w.before()
	return w.ResponseWriter.Write(b)
}
func (w *beforeAnswer) Flush()                      { flush(w.ResponseWriter) }
func (w *beforeAnswer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// prefixWriter keeps the first max bytes written to it and counts them all.
type prefixWriter struct {
	buf bytes.Buffer
	max int64
	n   int64
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if room := p.max - int64(p.buf.Len()); room > 0 {
		p.buf.Write(b[:min(int64(len(b)), room)])
	}
	p.n += int64(len(b))
	return len(b), nil
}

// exchangeOf turns an answer into what a recording keeps of it.
func exchangeOf(rt *route, r *http.Request, status int, h http.Header, body []byte) Exchange {
	e := Exchange{Op: rt.op.ID, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status}
	if loc := versionPrefix.FindStringIndex(e.Path); loc != nil {
		e.Path = e.Path[loc[1]-1:]
	}
	ct := h.Get("Content-Type")
	for _, k := range []string{"Content-Type", "X-Docker-Container-Path-Stat", "Docker-Content-Digest"} {
		if v := h.Get(k); v != "" {
			if e.Header == nil {
				e.Header = map[string]string{}
			}
			e.Header[k] = v
		}
	}
	if len(body) == 0 || r.Method == http.MethodHead {
		return e
	}
	switch {
	case status/100 == 2 && rt.stream == "output" && strings.Contains(ct, "multiplexed"):
		if frames, ok := splitFrames(body); ok {
			e.Frames = frames
			return e
		}
	case status/100 == 2 && rt.stream == "json":
		var frames []FileFrame
		dec := json.NewDecoder(bytes.NewReader(body))
		for {
			var m json.RawMessage
			if err := dec.Decode(&m); err != nil {
				if err == io.EOF {
					e.Frames = frames
					return e
				}
				break
			}
			frames = append(frames, FileFrame{Message: m})
		}
	case strings.Contains(ct, "json") && json.Valid(body):
		var compact bytes.Buffer
		json.Compact(&compact, body)
		e.Body = compact.Bytes()
		return e
	}
	if t, ok := text(body); ok {
		e.Raw = t
	} else {
		e.RawBase64 = body
	}
	return e
}

// splitFrames splits multiplexed output into its frames.
func splitFrames(b []byte) ([]FileFrame, bool) {
	var out []FileFrame
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, false
		}
		n := int(binary.BigEndian.Uint32(b[4:8]))
		if len(b)-8 < n {
			return nil, false
		}
		data, ok := text(b[8 : 8+n])
		if !ok {
			return nil, false
		}
		if n == 0 {
			// An empty frame carries nothing a client sees, and a file
			// cannot say which stream it was on: dropped.
			if b[0] != 1 && b[0] != 2 {
				return nil, false
			}
			b = b[8:]
			continue
		}
		switch b[0] {
		case 1:
			out = append(out, FileFrame{Stdout: data})
		case 2:
			out = append(out, FileFrame{Stderr: data})
		default:
			return nil, false
		}
		b = b[8+n:]
	}
	return out, true
}

// proxyHijack passes an upgraded connection (attach, exec) through to the
// upstream daemon, both ways, until either side closes.
func (s *Server) proxyHijack(w http.ResponseWriter, r *http.Request, rt *route, out *http.Request) {
	up, err := s.record.dial(r.Context())
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "dockertest: upstream: " + err.Error()})
		return
	}
	defer up.Close()
	if err := out.Write(up); err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "dockertest: upstream: " + err.Error()})
		return
	}
	br := bufio.NewReader(up)
	resp, err := http.ReadResponse(br, out)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "dockertest: upstream: " + err.Error()})
		return
	}
	if rt != nil {
		s.record.add(Exchange{Op: rt.op.ID, Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/v"+s.version), Query: r.URL.RawQuery, Status: resp.StatusCode})
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		return
	}
	conn, cbrw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	// Close ends both sides, so that a stream neither side ends (an
	// attach to a container that keeps running) cannot hold it up.
	if !s.track(conn) {
		conn.Close()
		return
	}
	defer s.untrack(conn)
	if !s.track(up) {
		return
	}
	defer s.untrack(up)
	resp.Write(cbrw) // the 101 and its headers
	cbrw.Flush()
	done := make(chan struct{}, 2)
	go func() { // client to daemon
		io.Copy(up, cbrw.Reader)
		if cw, ok := up.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() { // daemon to client
		io.Copy(conn, br)
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		done <- struct{}{}
	}()
	<-done
	<-done
}
