package dockertest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dockerclient/docker/internal/apispec"
)

// pathStat is the X-Docker-Container-Path-Stat of every archive answer: a
// one-byte file "f", the file the tar answers carry.
var pathStat = base64.StdEncoding.EncodeToString([]byte(
	`{"name":"f","size":1,"mode":420,"mtime":"2020-01-01T00:00:00Z","linkTarget":""}`))

// Media types of container output (API 1.42+ states which one it sends).
const (
	multiplexedStream = "application/vnd.docker.multiplexed-stream"
	rawStream         = "application/vnd.docker.raw-stream"
)

// outputType is the media type of container output as dockerd labels it:
// raw-stream, except for the multiplexed output of a container without a
// TTY from API 1.42 on. The fake takes an answer whose frames are all raw
// (Stream 0) for a TTY's.
func (s *Server) outputType(a *Answer) string {
	tty := a != nil && len(a.Frames) > 0
	if a != nil {
		for _, f := range a.Frames {
			if f.Stream != 0 {
				tty = false
			}
		}
	}
	if tty || !versionAtLeast(s.version, 1, 42) {
		return rawStream
	}
	return multiplexedStream
}

// versionAtLeast reports whether an API version ("1.47") is at least
// major.minor.
func versionAtLeast(v string, major, minor int) bool {
	ma, mi, _ := strings.Cut(v, ".")
	a, _ := strconv.Atoi(ma)
	b, _ := strconv.Atoi(mi)
	return a > major || a == major && b >= minor
}

// pickResponse returns the success response to answer with: 200, 201, 204
// or 101 in that order, otherwise the lowest 2xx declared.
func pickResponse(op *apispec.Operation) (int, *apispec.Response) {
	for _, c := range []int{200, 201, 204, 101} {
		if r, ok := op.Responses[strconv.Itoa(c)]; ok {
			return c, r
		}
	}
	var ok2 []int
	for c := range op.Responses {
		if n, err := strconv.Atoi(c); err == nil && n >= 200 && n < 300 {
			ok2 = append(ok2, n)
		}
	}
	if len(ok2) == 0 {
		return http.StatusOK, nil
	}
	sort.Ints(ok2)
	return ok2[0], op.Responses[strconv.Itoa(ok2[0])]
}

// produces returns the operation's media types, or the spec's.
func (s *Server) produces(op *apispec.Operation) []string {
	if len(op.Produces) > 0 {
		return op.Produces
	}
	return s.spec.Produces
}

// respond answers a call: with the scripted answer a when there is one,
// otherwise (and for what a leaves unset) from the spec.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, rt *route, a *Answer) {
	code, resp := pickResponse(rt.op)
	if a != nil && a.Status != 0 {
		code = a.Status
		if resp = rt.op.Responses[strconv.Itoa(code)]; resp == nil {
			resp = rt.op.Responses["default"]
		}
	}
	h := w.Header()
	s.daemonHeaders(h)
	if resp != nil {
		for name, hd := range resp.Headers {
			h.Set(name, headerValue(name, hd, s.version))
		}
	}
	if strings.HasSuffix(rt.template, "/archive") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		h.Set("X-Docker-Container-Path-Stat", pathStat)
	}
	if a != nil {
		for k, vs := range a.Header {
			h[http.CanonicalHeaderKey(k)] = vs
		}
	}
	// contentType sets the Content-Type unless the script set one.
	contentType := func(v string) {
		if a == nil || a.Header.Get("Content-Type") == "" {
			h.Set("Content-Type", v)
		}
	}
	if code == http.StatusSwitchingProtocols || (code == http.StatusNoContent && rt.stream != "") {
		code = http.StatusOK // only a hijack switches protocols; a stream has a body
	}
	head := r.Method == http.MethodHead
	var schema *apispec.Schema
	if resp != nil {
		schema = resp.Schema
	}
	scripted := a != nil && (a.Body != nil || a.Raw != nil || len(a.Frames) > 0)

	if a != nil && code/100 != 2 {
		// A scripted error: never a stream, never hijacked.
		body := a.Raw
		if a.Body != nil {
			body, _ = json.Marshal(a.Body)
			body = append(body, '\n')
		}
		if len(body) > 0 {
			contentType("application/json")
		}
		w.WriteHeader(code)
		if !head {
			w.Write(body)
		}
		return
	}

	switch rt.stream {
	case "hijack":
		s.hijack(w, r, upgradeProtocol(rt.op.ID), a)
		return
	case "websocket":
		s.hijack(w, r, "websocket", a)
		return
	case "output", "binary":
		// Container output (two frames by default) or a download (a tar).
		byDefault := append(frame(1, []byte("hello from stdout\n")), frame(2, []byte("hello from stderr\n"))...)
		contentType(s.outputType(a))
		if rt.stream == "binary" {
			byDefault = smallTar()
			contentType("application/x-tar")
		}
		w.WriteHeader(code)
		switch {
		case head:
		case scripted:
			w.Write(a.Raw)
			s.writeFrames(w, r, a.Frames)
		default:
			w.Write(byDefault)
		}
		return
	case "json":
		contentType(s.jsonStreamType(rt.op))
		w.WriteHeader(code)
		if head {
			return
		}
		if scripted {
			w.Write(a.Raw)
			s.writeFrames(w, r, a.Frames)
			return
		}
		var item any = map[string]any{"status": "ok", "id": "x"}
		if schema != nil && !s.isStringSchema(schema) {
			item = s.synth(resp)
		}
		b, _ := json.Marshal(item)
		for range 2 {
			w.Write(append(b, '\n'))
			flush(w) // a stream: each value arrives on its own
		}
		return
	}

	if scripted {
		body := a.Raw
		if a.Body != nil {
			body, _ = json.Marshal(a.Body)
			body = append(body, '\n')
			contentType("application/json")
		} else if schema != nil && !s.isStringSchema(schema) {
			contentType("application/json")
		} else {
			contentType("application/octet-stream")
		}
		w.WriteHeader(code)
		if !head {
			w.Write(body)
		}
		return
	}
	if code == http.StatusNoContent || schema == nil {
		w.WriteHeader(code)
		return
	}
	if sh := s.schemas.flatten(schema); len(sh.types) == 1 && sh.types[0] == "string" {
		switch {
		case sh.format == "binary":
			contentType("application/octet-stream")
			w.WriteHeader(code)
			if !head {
				io.WriteString(w, "data")
			}
			return
		case !slices.Contains(s.produces(rt.op), "application/json"):
			// SystemPing: plain text. (SwarmInit also produces JSON and
			// answers a JSON string, handled below.)
			text := "OK"
			if ex, ok := sh.example.(string); ok {
				text = ex
			}
			contentType("text/plain; charset=utf-8")
			w.WriteHeader(code)
			if !head {
				io.WriteString(w, text)
			}
			return
		}
	}
	v := s.synth(resp)
	if m, ok := v.(map[string]any); ok && rt.op.ID == "SystemVersion" {
		// The version range is the server's, whatever the spec's example
		// says (a copy: the example is shared): it serves one version.
		m = maps.Clone(m)
		m["ApiVersion"], m["MinAPIVersion"], m["Version"] = s.version, s.version, "fake"
		if _, ok := m["Components"]; ok {
			m["Components"] = []any{map[string]any{"Name": "Engine", "Version": "fake", "Details": map[string]any{
				"ApiVersion": s.version, "MinAPIVersion": s.version, "Os": "linux", "Arch": "amd64"}}}
		}
		v = m
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("null")
	}
	contentType("application/json")
	w.WriteHeader(code)
	if !head {
		w.Write(append(b, '\n'))
	}
}

// flush sends what w buffers: an HTTP response, or a hijacked connection's
// bufio.ReadWriter.
func flush(w io.Writer) {
	switch f := w.(type) {
	case http.Flusher:
		f.Flush()
	case interface{ Flush() error }:
		f.Flush()
	}
}

// writeFrames sends a scripted stream, each frame flushed on its own. It
// stops when the client goes away or the server closes.
func (s *Server) writeFrames(w io.Writer, r *http.Request, frames []Frame) bool {
	for _, f := range frames {
		if !s.sleep(r, f.Delay) {
			return false
		}
		var b []byte
		switch {
		case f.Value != nil:
			b, _ = json.Marshal(f.Value)
			b = append(b, '\n')
		case f.Stream == 0:
			b = f.Data
		default:
			b = frame(f.Stream, f.Data)
		}
		if _, err := w.Write(b); err != nil {
			return false
		}
		flush(w)
	}
	return true
}

// synth builds a response value from a schema. A bare `type: object` says
// nothing to build from, so there the response's own JSON example is used
// when it fits (ContainerStats before v1.42 shows its shape only there).
func (s *Server) synth(resp *apispec.Response) any {
	sh := s.schemas.flatten(resp.Schema)
	if sh.is("object") && len(sh.props) == 0 && !sh.addlSet && sh.example == nil {
		if ex := resp.Example; ex != nil {
			v := validator{schemas: s.schemas}
			if v.check(ex, resp.Schema, "example", 0); len(v.fails) == 0 {
				return ex
			}
		}
	}
	g := synthesizer{schemas: s.schemas, maxDepth: maxDepth}
	return g.value(resp.Schema, "response", 0, nil)
}

// jsonStreamType names a newline-delimited JSON stream with the first media
// type the operation declares that means it (never json-seq, whose records
// are framed differently).
func (s *Server) jsonStreamType(op *apispec.Operation) string {
	for _, p := range s.produces(op) {
		switch p {
		case "application/jsonl", "application/x-ndjson", "application/json":
			return p
		}
	}
	return "application/json"
}

// headerValue is a plausible value for a declared response header.
func headerValue(name string, hd *apispec.Header, version string) string {
	switch strings.ToLower(name) {
	case "api-version":
		return version
	case "docker-experimental":
		return "false"
	case "ostype":
		return "linux"
	case "x-docker-container-path-stat":
		return pathStat
	case "swarm":
		return "inactive"
	case "builder-version":
		return "2"
	case "cache-control":
		return "no-cache, no-store, must-revalidate"
	case "pragma":
		return "no-cache"
	}
	if len(hd.Enum) > 0 {
		return fmt.Sprint(hd.Enum[0])
	}
	switch hd.Type {
	case "boolean":
		return "false"
	case "integer":
		return "1"
	case "number":
		return "1.5"
	}
	return "string"
}

// frame is one frame of Docker's stdout/stderr multiplexing: the stream
// (1 stdout, 2 stderr), three zero bytes, the big-endian payload length.
func frame(stream byte, payload []byte) []byte {
	b := make([]byte, 8, 8+len(payload))
	b[0] = stream
	binary.BigEndian.PutUint32(b[4:], uint32(len(payload)))
	return append(b, payload...)
}

// smallTar is a valid tar of one file "f" holding "x", matching pathStat.
func smallTar() []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{
		Name: "f", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg,
		ModTime: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	tw.Write([]byte("x"))
	tw.Close()
	return buf.Bytes()
}

// hijack answers an attach, exec or session the way dockerd does: 101, then
// the raw connection. It sends one stdout frame, then echoes what the
// client writes, as it arrives, in stdout frames until the client
// half-closes, and closes.
func (s *Server) hijack(w http.ResponseWriter, r *http.Request, proto string, a *Answer) {
	var fault *Fault
	if fw, ok := w.(*faultWriter); ok {
		fault, fw.hijacked = fw.fault, true
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		s.fail("dockertest", []string{"hijack: " + err.Error()})
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if !s.track(conn) {
		conn.Close()
		return
	}
	defer s.untrack(conn)
	out := &cutConn{w: brw.Writer, conn: conn} // the fault applies after the 101

	scripted := a != nil && (a.Raw != nil || len(a.Frames) > 0)
	if proto == "websocket" {
		if fault != nil {
			s.fail("ContainerAttachWebsocket", []string{"Fault{Close} and Fault{Truncate} do not apply to a WebSocket attach"})
		}
		s.serveWebSocket(conn, brw, r, a)
		return
	}
	h := w.Header().Clone()
	h.Set("Content-Type", s.outputType(a))
	h.Set("Connection", "Upgrade")
	h.Set("Upgrade", proto)
	io.WriteString(brw, "HTTP/1.1 101 Switching Protocols\r\n")
	h.Write(brw)
	io.WriteString(brw, "\r\n")
	out.fault = fault
	if scripted {
		// The script's output, then the end of the stream, as when the
		// process exits.
		out.Write(a.Raw)
		s.writeFrames(out, r, a.Frames)
		out.Flush()
		return
	}
	out.Write(frame(1, []byte("hello from stdout\n")))
	if err := out.Flush(); err != nil {
		return
	}
	// brw.Reader may already hold bytes the client sent after its request.
	buf := make([]byte, 32<<10)
	for {
		n, err := brw.Reader.Read(buf)
		if n > 0 {
			out.Write(frame(1, buf[:n]))
			if out.Flush() != nil {
				return
			}
		}
		if err != nil {
			return // the client half-closed, or Close closed the connection
		}
	}
}

// serveWebSocket answers a WebSocket handshake (RFC 6455), sends one frame
// of output, and echoes every data frame the client sends until it sends a
// close frame, which it answers before closing.
func (s *Server) serveWebSocket(conn net.Conn, brw *bufio.ReadWriter, r *http.Request, a *Answer) {
	key := r.Header.Get("Sec-WebSocket-Key")
	var fails []string
	if key == "" || r.Header.Get("Sec-WebSocket-Version") != "13" {
		fails = append(fails, "WebSocket handshake lacks Sec-WebSocket-Key or version 13")
	}
	if r.Header.Get("Origin") == "" {
		fails = append(fails, "WebSocket handshake lacks an Origin (the daemon's server refuses it)")
	}
	if len(fails) > 0 {
		s.fail("ContainerAttachWebsocket", fails)
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	io.WriteString(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: "+base64.StdEncoding.EncodeToString(sum[:])+"\r\n\r\n")
	if a != nil && (a.Raw != nil || len(a.Frames) > 0) {
		if a.Raw != nil {
			writeWSFrame(brw.Writer, 0x2, a.Raw)
		}
		for _, f := range a.Frames {
			if !s.sleep(r, f.Delay) {
				return
			}
			writeWSFrame(brw.Writer, 0x2, f.Data)
			if brw.Flush() != nil {
				return
			}
		}
		writeWSFrame(brw.Writer, 0x8, []byte{0x03, 0xe8}) // 1000: normal closure
		brw.Flush()
		return
	}
	writeWSFrame(brw.Writer, 0x2, []byte("hello from stdout\n"))
	if brw.Flush() != nil {
		return
	}
	for {
		op, payload, masked, err := readWSFrame(brw.Reader)
		if err != nil {
			return
		}
		if !masked {
			s.fail("ContainerAttachWebsocket", []string{"a client frame was not masked"})
		}
		switch op {
		case 0x8:
			writeWSFrame(brw.Writer, 0x8, payload)
			brw.Flush()
			return
		case 0x1, 0x2, 0x0:
			writeWSFrame(brw.Writer, 0x2, payload)
			if brw.Flush() != nil {
				return
			}
		}
	}
}

func writeWSFrame(w io.Writer, op byte, payload []byte) {
	hdr := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, byte(n))
	case n <= 0xffff:
		hdr = append(hdr, 126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	w.Write(hdr)
	w.Write(payload)
}

func readWSFrame(r *bufio.Reader) (op byte, payload []byte, masked bool, err error) {
	var hdr [2]byte
	if _, err = io.ReadFull(r, hdr[:]); err != nil {
		return
	}
	op = hdr[0] & 0x0f
	masked = hdr[1]&0x80 != 0
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err = io.ReadFull(r, ext[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err = io.ReadFull(r, ext[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > 1<<20 {
		return 0, nil, masked, fmt.Errorf("frame of %d bytes", n)
	}
	var mask [4]byte
	if masked {
		if _, err = io.ReadFull(r, mask[:]); err != nil {
			return
		}
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
	}
	return op, payload, masked, nil
}

// track registers a hijacked connection for Close to end; false when the
// server is closing.
func (s *Server) track(conn net.Conn) bool {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	if s.closing {
		return false
	}
	s.hijacked[conn] = struct{}{}
	return true
}

// untrack closes a hijacked connection and forgets it.
func (s *Server) untrack(conn net.Conn) {
	s.hmu.Lock()
	delete(s.hijacked, conn)
	s.hmu.Unlock()
	conn.Close()
}
