package bench

import (
	"encoding/binary"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// StubHandler answers as dockerd 20.10 does for what the stream benchmarks
// need: /_ping, /version (API 1.41, for the clients' version checks), GET
// /v1.41/containers/{id}/json (a container without a TTY) and GET
// /v1.41/containers/{id}/logs, which sends total payload bytes as
// stdout frames of frame bytes each, from memory, chunked and without a
// Content-Type (as dockerd 20.10 does for logs). It shows what each client
// can demultiplex when the daemon is not the limit.
func StubHandler(total int64, frame int) http.Handler {
	// One 1 MiB-ish block of whole frames, written again and again.
	per := 8 + frame
	nFrames := (1 << 20) / per
	if nFrames < 1 {
		nFrames = 1
	}
	block := make([]byte, 0, nFrames*per)
	payload := []byte(strings.Repeat("0123456789abcdef", frame/16+1)[:frame])
	payload[frame-1] = '\n'
	for i := 0; i < nFrames; i++ {
		var h [8]byte
		h[0] = 1
		binary.BigEndian.PutUint32(h[4:], uint32(frame))
		block = append(block, h[:]...)
		block = append(block, payload...)
	}
	blockPayload := int64(nFrames * frame)

	mux := daemonMux()
	// Before API 1.42 the SDK inspects the container to learn whether its
	// output is a TTY stream or multiplexed.
	mux.HandleFunc("GET /v1.41/containers/{id}/json", func(w http.ResponseWriter, r *http.Request) {
		daemonHeaders(w)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"Id":"` + r.PathValue("id") + `","Config":{"Tty":false}}`))
	})
	mux.HandleFunc("/v1.41/containers/{id}/logs", func(w http.ResponseWriter, r *http.Request) {
		daemonHeaders(w)
		w.Header()["Content-Type"] = nil // no sniffing, no type: as dockerd 20.10
		left := total
		for left > 0 {
			if left >= blockPayload {
				if _, err := w.Write(block); err != nil {
					return
				}
				left -= blockPayload
				continue
			}
			// The tail: whole frames, then one short frame.
			var tail []byte
			for left > 0 {
				n := int64(frame)
				if left < n {
					n = left
				}
				var h [8]byte
				h[0] = 1
				binary.BigEndian.PutUint32(h[4:], uint32(n))
				tail = append(tail, h[:]...)
				tail = append(tail, payload[:n]...)
				left -= n
			}
			w.Write(tail)
		}
	})
	return mux
}

// daemonHeaders sets the headers dockerd 20.10 sends with every answer.
func daemonHeaders(w http.ResponseWriter) {
	w.Header().Set("Api-Version", "1.41")
	w.Header().Set("Ostype", "linux")
	w.Header().Set("Docker-Experimental", "false")
}

// daemonMux answers /_ping and /version (API 1.41, with and without the
// /v1.41 prefix), which the clients' version checks need.
func daemonMux() *http.ServeMux {
	mux := http.NewServeMux()
	ping := func(w http.ResponseWriter, r *http.Request) {
		daemonHeaders(w)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if r.Method != http.MethodHead {
			w.Write([]byte("OK"))
		}
	}
	version := func(w http.ResponseWriter, r *http.Request) {
		daemonHeaders(w)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ApiVersion":"1.41","MinAPIVersion":"1.12","Version":"stub","Os":"linux","Arch":"amd64"}`))
	}
	for _, prefix := range []string{"", "/v1.41"} {
		mux.HandleFunc(prefix+"/_ping", ping)
		mux.HandleFunc(prefix+"/version", version)
	}
	return mux
}

// ServeStub serves StubHandler on a unix socket at path until the process
// ends (the runner starts it as a child process, so that its CPU is not
// counted as the client's).
func ServeStub(path string, total int64, frame int) error {
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	return http.Serve(l, StubHandler(total, frame))
}

// StubArgs are the flags the runner passes to its stub child.
func StubArgs(path string, total int64, frame int) []string {
	return []string{"-serve-stub", path, "-stub-bytes", strconv.FormatInt(total, 10), "-stub-frame", strconv.Itoa(frame)}
}

// GarbageSize is what the garbage stub announces for a typed call's
// response: 1 GiB.
const GarbageSize = 1 << 30

// GarbageHandler answers /_ping and /version as StubHandler does, and GET
// /v1.41/containers/{id}/json with a 200, "Content-Type: application/json",
// "Content-Length: size" and size bytes of 'x' (not JSON), written in 64 KiB
// chunks until they are all sent or the client goes away. It shows what a
// typed call costs when a daemon (or something posing as one) answers with
// a huge body that is not the value asked for.
func GarbageHandler(size int64) http.Handler {
	mux := daemonMux()
	chunk := []byte(strings.Repeat("x", 64<<10))
	mux.HandleFunc("GET /v1.41/containers/{id}/json", func(w http.ResponseWriter, r *http.Request) {
		daemonHeaders(w)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		for left := size; left > 0; {
			n := min(left, int64(len(chunk)))
			if _, err := w.Write(chunk[:n]); err != nil {
				return // the client went away
			}
			left -= n
		}
	})
	return mux
}

// ServeGarbage serves GarbageHandler(GarbageSize) on l until it is closed.
func ServeGarbage(l net.Listener) error {
	return http.Serve(l, GarbageHandler(GarbageSize))
}
