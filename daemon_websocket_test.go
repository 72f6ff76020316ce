package docker_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker/v141"
)

// TestWebSocketAttachAgainstDaemon attaches to `cat` through the WebSocket
// endpoint: what is written to stdin comes back as output.
func TestWebSocketAttachAgainstDaemon(t *testing.T) {
	d := newDaemon(t)
	ctx := ctxTimeout(t, time.Minute)
	id := d.create(t, v141.ContainerCreateRequest{Cmd: []string{"cat"}, OpenStdin: true, AttachStdin: true, AttachStdout: true})
	if err := d.api.ContainerStart(ctx, id, v141.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	ws, err := d.api.ContainerAttachWebsocket(ctx, id, v141.ContainerAttachWebsocketOptions{Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, err := io.WriteString(ws, "hello over a websocket\n"); err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	buf := make([]byte, 512)
	for !strings.Contains(got.String(), "hello over a websocket") {
		n, err := ws.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("reading: %v (so far %q)", err, got.String())
		}
	}
	if err := ws.CloseWrite(); err != nil {
		t.Fatal(err)
	}
}
