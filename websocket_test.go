package docker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
)

// serverFrame builds an unmasked frame, as a server sends.
func serverFrame(op byte, payload []byte) []byte {
	b := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

func TestWebSocketFrames(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	ws := &WebSocketConn{conn: client, br: bufio.NewReader(client), ctx: context.Background(), stop: func() bool { return true }}

	big := bytes.Repeat([]byte("x"), 70000) // a 64-bit length
	mid := bytes.Repeat([]byte("y"), 300)   // a 16-bit length
	go func() {
		server.Write(serverFrame(wsText, []byte("hi ")))
		server.Write(serverFrame(wsPing, []byte("p")))
		// The client answers the ping with a masked pong.
		var hdr [2]byte
		io.ReadFull(server, hdr[:])
		var rest [5]byte
		io.ReadFull(server, rest[:])
		if hdr[0] != 0x80|wsPong || hdr[1] != 0x80|1 || rest[4]^rest[0] != 'p' {
			server.Write(serverFrame(wsText, []byte("BAD PONG")))
		}
		server.Write(serverFrame(wsBinary, mid))
		server.Write(serverFrame(wsBinary, big))
		server.Write(serverFrame(wsClose, []byte{0x03, 0xe8}))
		io.Copy(io.Discard, server) // the client's close echo
	}()
	got, err := io.ReadAll(ws)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte("hi "), mid...), big...)
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want %d (starts %q)", len(got), len(want), got[:min(len(got), 20)])
	}
	ws.Close()
}

func TestWebSocketWritesMaskedFrames(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	ws := &WebSocketConn{conn: client, br: bufio.NewReader(client), ctx: context.Background(), stop: func() bool { return true }}
	payload := bytes.Repeat([]byte("z"), 200)
	go func() {
		ws.Write(payload)
		ws.CloseWrite()
		ws.Close()
	}()
	r := bufio.NewReader(server)
	var hdr [4]byte
	io.ReadFull(r, hdr[:])
	if hdr[0] != 0x80|wsBinary || hdr[1] != 0x80|126 || binary.BigEndian.Uint16(hdr[2:]) != 200 {
		t.Fatalf("frame header % x", hdr)
	}
	var mask [4]byte
	io.ReadFull(r, mask[:])
	body := make([]byte, 200)
	io.ReadFull(r, body)
	for i := range body {
		body[i] ^= mask[i%4]
	}
	if !bytes.Equal(body, payload) {
		t.Fatal("payload does not unmask to what was written")
	}
	var closeHdr [2]byte
	io.ReadFull(r, closeHdr[:])
	if closeHdr[0] != 0x80|wsClose {
		t.Fatalf("CloseWrite sent opcode %x", closeHdr[0]&0x0f)
	}
	if _, err := ws.Write([]byte("late")); err == nil {
		t.Fatal("a write after CloseWrite succeeded")
	}
}
