package buildkit

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// A BuildKit session turns the roles around: on the connection the client
// hijacked from POST /session, the daemon is the gRPC client and we serve.
// gRPC is HTTP/2 with 5-byte length-prefixed messages and the status in
// trailers, so net/http's own HTTP/2 server (unencrypted, with prior
// knowledge, since Go 1.24) carries it; no gRPC library is needed.

// gRPC status codes used here.
const (
	codeOK                 = 0
	codeInvalidArgument    = 3
	codeNotFound           = 5
	codeResourceExhausted  = 8
	codeFailedPrecondition = 9
	codeUnimplemented      = 12
	codeInternal           = 13
	codeUnavailable        = 14
)

// Bounds on one message the daemon sends: its requests are a few hundred
// bytes; a stream's chunks (SSH agent, tar output) 32 KiB, well under
// gRPC's own default limit of 4 MiB. A message is read as its bytes
// arrive, so a header that announces a large one costs nothing until the
// bytes come.
const (
	maxRequestMessage = 64 << 10
	maxStreamMessage  = 4 << 20
)

// grpcError is a gRPC status other than OK.
type grpcError struct {
	code int
	msg  string
}

func (e *grpcError) Error() string { return fmt.Sprintf("grpc status %d: %s", e.code, e.msg) }

func grpcErrorf(code int, format string, args ...any) error {
	return &grpcError{code: code, msg: fmt.Sprintf(format, args...)}
}

// unaryFunc answers one request message with one response message.
type unaryFunc func(ctx context.Context, req []byte) ([]byte, error)

// streamFunc serves a bidirectional stream.
type streamFunc func(st *grpcStream) error

// grpcStream is one call of a streaming method.
type grpcStream struct {
	ctx context.Context
	md  http.Header // the call's metadata
	r   *http.Request
	w   http.ResponseWriter

	mu     sync.Mutex
	closed bool
}

// errRecvClosed is what recv returns once closeRecv was called.
var errRecvClosed = errors.New("the stream's receiving side was closed")

// recv returns the next message; io.EOF when the daemon is done sending.
func (s *grpcStream) recv() ([]byte, error) {
	m, err := readMessage(s.r.Body, maxStreamMessage)
	if err != nil {
		s.mu.Lock()
		if s.closed {
			err = errRecvClosed
		}
		s.mu.Unlock()
	}
	return m, err
}

// send writes one message.
func (s *grpcStream) send(m []byte) error { return writeMessage(s.w, m) }

// closeRecv ends a recv blocked on the daemon, for a handler that is done
// before the daemon is.
func (s *grpcStream) closeRecv() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.r.Body.Close()
}

// grpcServer dispatches gRPC calls by their path, /package.Service/Method.
type grpcServer struct {
	unary  map[string]unaryFunc
	stream map[string]streamFunc

	// The running handlers, waited for when the session ends; once it
	// has, a call that still arrives is refused at once.
	mu       sync.Mutex
	running  int
	idle     *sync.Cond
	shutdown bool
}

// enter counts a handler in, unless the session is ending.
func (g *grpcServer) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shutdown {
		return false
	}
	g.running++
	return true
}

func (g *grpcServer) leave() {
	g.mu.Lock()
	g.running--
	if g.running == 0 && g.idle != nil {
		g.idle.Broadcast()
	}
	g.mu.Unlock()
}

// drain refuses new calls and waits for the running ones to return.
func (g *grpcServer) drain() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shutdown = true
	if g.idle == nil {
		g.idle = sync.NewCond(&g.mu)
	}
	for g.running > 0 {
		g.idle.Wait()
	}
}

// methods lists the methods served, for the session's headers.
func (g *grpcServer) methods() []string {
	var m []string
	for k := range g.unary {
		m = append(m, k)
	}
	for k := range g.stream {
		m = append(m, k)
	}
	return m
}

func (g *grpcServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.enter() {
		http.Error(w, "session closed", http.StatusServiceUnavailable)
		return
	}
	defer g.leave()
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
		http.Error(w, "gRPC only", http.StatusUnsupportedMediaType)
		return
	}
	w.Header().Set("Content-Type", "application/grpc")
	// Declared before the headers go out, so that the trailers follow the
	// body even when the handler writes none.
	w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
	w.WriteHeader(http.StatusOK)

	var err error
	if f, ok := g.unary[r.URL.Path]; ok {
		err = serveUnary(r, w, f)
	} else if f, ok := g.stream[r.URL.Path]; ok {
		err = serveStream(r, w, f)
	} else {
		err = grpcErrorf(codeUnimplemented, "method %s is not served by this session", r.URL.Path)
	}
	code, msg := codeOK, ""
	if err != nil {
		var ge *grpcError
		switch {
		case errors.As(err, &ge):
			code, msg = ge.code, ge.msg
		case r.Context().Err() != nil:
			code, msg = codeUnavailable, "session closed"
		default:
			code, msg = codeInternal, err.Error()
		}
	}
	w.Header().Set("Grpc-Status", strconv.Itoa(code))
	if msg != "" {
		w.Header().Set("Grpc-Message", percentEncode(msg))
	}
}

func serveUnary(r *http.Request, w http.ResponseWriter, f unaryFunc) error {
	req, err := readMessage(r.Body, maxRequestMessage)
	if err == io.EOF {
		return grpcErrorf(codeInvalidArgument, "no request message")
	}
	if err != nil {
		return err
	}
	resp, err := f(r.Context(), req)
	if err != nil {
		return err
	}
	return writeMessage(w, resp)
}

func serveStream(r *http.Request, w http.ResponseWriter, f streamFunc) error {
	return f(&grpcStream{ctx: r.Context(), md: r.Header, r: r, w: w})
}

// readMessage reads one length-prefixed message of at most limit bytes;
// io.EOF when the stream ended between messages.
func readMessage(r io.Reader, limit int) ([]byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return nil, grpcErrorf(codeInvalidArgument, "message header cut off")
		}
		return nil, err
	}
	if hdr[0] != 0 {
		// We announce no grpc-accept-encoding, so nothing may be compressed.
		return nil, grpcErrorf(codeUnimplemented, "compressed messages are not accepted")
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > uint32(limit) {
		return nil, grpcErrorf(codeResourceExhausted, "message of %d bytes is over the limit of %d", n, limit)
	}
	var b bytes.Buffer
	if got, err := io.CopyN(&b, r, int64(n)); err != nil {
		if err == io.EOF {
			return nil, grpcErrorf(codeInvalidArgument, "message cut off after %d of %d bytes", got, n)
		}
		return nil, err
	}
	return b.Bytes(), nil
}

func writeMessage(w http.ResponseWriter, m []byte) error {
	b := make([]byte, 5, 5+len(m))
	binary.BigEndian.PutUint32(b[1:], uint32(len(m)))
	if _, err := w.Write(append(b, m...)); err != nil {
		return err
	}
	return http.NewResponseController(w).Flush()
}

// percentEncode encodes a grpc-message value: printable ASCII but '%'
// stays, the rest is %XX.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '%' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// serveConn serves g on conn (HTTP/2 with prior knowledge) until stop is
// called, which closes conn and returns once the HTTP/2 server's
// goroutines and every handler have.
func serveConn(conn net.Conn, g *grpcServer) (stop func()) {
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	var started atomic.Bool // the server took the connection on
	connDone := make(chan struct{})
	var connOnce sync.Once
	srv := &http.Server{
		Handler:   g,
		Protocols: protocols,
		ErrorLog:  discardLog,
		// The context the handlers get ends with the connection.
		BaseContext: func(net.Listener) context.Context { return context.Background() },
		// What a broken or hostile daemon can make us hold: a few streams
		// at a time (it runs one health check, and a call per secret,
		// agent connection or output of the steps running), and little
		// unread data in each.
		HTTP2: &http.HTTP2Config{
			MaxConcurrentStreams:          64,
			MaxReceiveBufferPerStream:     256 << 10,
			MaxReceiveBufferPerConnection: 1 << 20,
		},
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				started.Store(true) // before Serve starts the connection's goroutine
			}
			if st == http.StateClosed || st == http.StateHijacked {
				connOnce.Do(func() { close(connDone) })
			}
		},
	}
	l := newOneConnListener(conn)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			srv.Close() // closes the listener and the connection
			conn.Close()
			<-done
			if started.Load() {
				<-connDone // the connection's own goroutine has ended
			}
			g.drain()
		})
	}
}

// oneConnListener hands out one connection, then blocks until closed.
type oneConnListener struct {
	conn   net.Conn
	once   sync.Once
	closed chan struct{}
	mu     sync.Mutex
	taken  bool
}

func newOneConnListener(c net.Conn) *oneConnListener {
	return &oneConnListener{conn: c, closed: make(chan struct{})}
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if !l.taken {
		l.taken = true
		l.mu.Unlock()
		return l.conn, nil
	}
	l.mu.Unlock()
	<-l.closed
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }
