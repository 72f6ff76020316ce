package docker

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
)

// WebSocketConn is the connection of ContainerAttachWebsocket: the
// container's stdin and output carried in WebSocket frames. Read returns the
// output (raw: the daemon does not multiplex it), Write sends stdin, and
// CloseWrite ends stdin with a close frame.
type WebSocketConn struct {
	conn      net.Conn
	br        *bufio.Reader
	stop      func() bool
	ctx       context.Context
	wmu       sync.Mutex // frames from Write and from Read's pong replies
	left      int64      // payload bytes left in the current data frame
	mask      [4]byte
	masked    bool
	pos       int
	sentClose bool
	closed    sync.Once
	// Header holds the daemon's response headers.
	Header http.Header
}

// The GUID that RFC 6455 has servers append to the client's key.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// websocket sends r as a WebSocket handshake (RFC 6455) and makes ws the
// upgraded connection. Cancelling ctx closes it.
func (c *Client) websocket(ctx context.Context, r *request, ws *WebSocketConn) error {
	if err := c.checkRequestVersion(ctx, r); err != nil {
		return err
	}
	if c.endpoint == nil {
		return errors.New("docker: " + r.Op + ": WebSocket connections need a host to dial (use WithHost or FromEnv)")
	}
	req, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return err
	}
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return err
	}
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", key)
	// The daemon's WebSocket server refuses a handshake without an origin.
	req.Header.Set("Origin", "http://localhost")

	x, err := c.exchangeRaw(ctx, r.Op, req, func(conn net.Conn) io.Reader { return conn })
	if err != nil {
		return err
	}
	ws.conn, ws.ctx, ws.br, ws.stop = x.conn, ctx, x.br, x.stop
	fail := func(err error) error {
		x.abort()
		return err
	}
	resp := x.resp
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fail(errorFromResponse(resp, r.Op, r.APIVersion))
	}
	sum := sha1.Sum([]byte(key + websocketGUID))
	if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") ||
		resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		return fail(fmt.Errorf("docker: %s: the daemon's answer is not a WebSocket upgrade", r.Op))
	}
	ws.Header = resp.Header
	return nil
}

// Frame opcodes.
const (
	wsContinuation = 0x0
	wsText         = 0x1
	wsBinary       = 0x2
	wsClose        = 0x8
	wsPing         = 0x9
	wsPong         = 0xA
)

// Read returns the container's output. It answers pings, and returns
// io.EOF when the daemon closes the WebSocket.
func (w *WebSocketConn) Read(p []byte) (int, error) {
	for w.left == 0 {
		if err := w.nextFrame(); err != nil {
			return 0, w.ctxErr(err)
		}
	}
	if int64(len(p)) > w.left {
		p = p[:w.left]
	}
	n, err := w.br.Read(p)
	if w.masked {
		for i := 0; i < n; i++ {
			p[i] ^= w.mask[w.pos%4]
			w.pos++
		}
	}
	w.left -= int64(n)
	if err == io.EOF && w.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, w.ctxErr(err)
}

// nextFrame reads frame headers (and control frames) until a data frame
// with payload starts.
func (w *WebSocketConn) nextFrame() error {
	var hdr [2]byte
	if _, err := io.ReadFull(w.br, hdr[:]); err != nil {
		return err
	}
	op := hdr[0] & 0x0f
	length := int64(hdr[1] & 0x7f)
	switch length {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(w.br, ext[:]); err != nil {
			return err
		}
		length = int64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(w.br, ext[:]); err != nil {
			return err
		}
		length = int64(binary.BigEndian.Uint64(ext[:]) & (1<<63 - 1))
	}
	w.masked = hdr[1]&0x80 != 0
	if w.masked {
		if _, err := io.ReadFull(w.br, w.mask[:]); err != nil {
			return err
		}
	}
	w.pos = 0
	switch op {
	case wsContinuation, wsText, wsBinary:
		w.left = length
		return nil
	case wsClose, wsPing, wsPong:
		if length > 125 {
			return errors.New("docker: WebSocket control frame longer than 125 bytes")
		}
		payload := make([]byte, length)
		if _, err := io.ReadFull(w.br, payload); err != nil {
			return err
		}
		if w.masked {
			for i := range payload {
				payload[i] ^= w.mask[i%4]
			}
		}
		switch op {
		case wsPing:
			return w.writeFrame(wsPong, payload)
		case wsClose:
			w.writeFrame(wsClose, payload) // echo the close, as RFC 6455 asks
			return io.EOF
		}
		return nil
	}
	return fmt.Errorf("docker: WebSocket frame with unknown opcode %d", op)
}

// Write sends p to the container's stdin in one binary frame.
func (w *WebSocketConn) Write(p []byte) (int, error) {
	if err := w.writeFrame(wsBinary, p); err != nil {
		return 0, w.ctxErr(err)
	}
	return len(p), nil
}

// writeFrame sends one masked frame, as a client must.
func (w *WebSocketConn) writeFrame(op byte, payload []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.sentClose {
		if op == wsClose {
			return nil
		}
		return errors.New("docker: WebSocket: write after CloseWrite")
	}
	if op == wsClose {
		w.sentClose = true
	}
	frame := make([]byte, 0, 14+len(payload))
	frame = append(frame, 0x80|op)
	switch n := len(payload); {
	case n < 126:
		frame = append(frame, 0x80|byte(n))
	case n <= 0xffff:
		frame = append(frame, 0x80|126)
		frame = binary.BigEndian.AppendUint16(frame, uint16(n))
	default:
		frame = append(frame, 0x80|127)
		frame = binary.BigEndian.AppendUint64(frame, uint64(n))
	}
	var mask [4]byte
	if _, err := rand.Read(mask[:]); err != nil {
		return err
	}
	frame = append(frame, mask[:]...)
	start := len(frame)
	frame = append(frame, payload...)
	for i := range payload {
		frame[start+i] ^= mask[i%4]
	}
	_, err := w.conn.Write(frame)
	return err
}

// CloseWrite sends a close frame: the daemon reads it as the end of stdin.
// Output still being sent may be cut short by the close handshake.
func (w *WebSocketConn) CloseWrite() error {
	return w.ctxErr(w.writeFrame(wsClose, []byte{0x03, 0xe8})) // 1000: normal closure
}

// Close closes the connection.
func (w *WebSocketConn) Close() error {
	var err error
	w.closed.Do(func() {
		w.stop()
		err = w.conn.Close()
	})
	return err
}

func (w *WebSocketConn) ctxErr(err error) error {
	if err != nil && err != io.EOF && w.ctx.Err() != nil {
		return w.ctx.Err()
	}
	return err
}
