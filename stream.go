package docker

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// Stream is a response body handed to the caller as it arrives: a tar
// archive (ContainerArchive, ContainerExport, ImageGet, ImageGetAll), say.
// Nothing is buffered beyond what one Read asks for: pipe it straight into
// ImageLoad, PutContainerArchive or a file. Read it, then Close it; closing
// early abandons the transfer and frees the connection, and cancelling the
// call's context ends a Read in progress.
type Stream struct {
	io.ReadCloser
	Header http.Header
	op     string
}

func (s *Stream) open(resp *http.Response, op string) {
	s.ReadCloser, s.Header, s.op = resp.Body, resp.Header, op
}

// Read reads the body. A read that fails (not at the end) closes it, so
// that a transfer that broke frees its connection even if the caller
// forgets Close.
func (s *Stream) Read(p []byte) (int, error) {
	n, err := bodyReader{s.ReadCloser, s.op}.Read(p)
	if err != nil && err != io.EOF {
		s.ReadCloser.Close()
	}
	return n, err
}

// PathStat decodes the X-Docker-Container-Path-Stat header that
// ContainerArchive and ContainerArchiveInfo return.
func (s *Stream) PathStat() (*PathStat, error) {
	return DecodePathStat(s.Header.Get(PathStatHeader))
}

// PathStatHeader carries a PathStat, base64-encoded JSON.
const PathStatHeader = "X-Docker-Container-Path-Stat"

// PathStat describes a path inside a container's filesystem.
type PathStat struct {
	Name       string      `json:"name"`
	Size       int64       `json:"size"`
	Mode       os.FileMode `json:"mode"`
	Mtime      time.Time   `json:"mtime"`
	LinkTarget string      `json:"linkTarget"`
}

// maxPathStat bounds the header DecodePathStat accepts (a path stat is a
// few hundred bytes; net/http already caps all headers at 1 MiB).
const maxPathStat = 64 << 10

// DecodePathStat decodes the X-Docker-Container-Path-Stat header value:
// base64 (the daemon uses the standard alphabet with padding; the URL-safe
// alphabet and unpadded forms are accepted too) of a JSON object.
func DecodePathStat(h string) (*PathStat, error) {
	if h == "" {
		return nil, errors.New("docker: response has no " + PathStatHeader + " header")
	}
	if len(h) > maxPathStat {
		return nil, fmt.Errorf("docker: %s header of %d bytes is too long", PathStatHeader, len(h))
	}
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(h); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("docker: %s header is not base64: %w", PathStatHeader, err)
	}
	var st PathStat
	if err := jsonwire.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("docker: %s header is not a JSON path stat: %w", PathStatHeader, err)
	}
	return &st, nil
}

// Output is a container's or an exec's output: ContainerLogs, ServiceLogs,
// TaskLogs, and HijackedConn.Output for ContainerAttach and ExecStart.
// Without a TTY the daemon multiplexes stdout and stderr in frames that
// start with an 8-byte header; with a TTY it sends raw bytes. Demux handles
// both: it never feeds a TTY stream to the frame parser, which is how other
// clients corrupt TTY output.
//
// Cancelling the context of the call that returned it ends a Demux or Read
// in progress with the context's error, and frees the connection.
type Output struct {
	r      *bufio.Reader
	closer io.Closer
	// TTY says the stream is raw rather than multiplexed. From API 1.42 the
	// daemon says which in the response's content type. Before 1.42 it does
	// not, and the SDK asks, with one inspect of the container
	// (ContainerLogs), service (ServiceLogs) or task (TaskLogs) before the
	// call. The bytes are never guessed from. Set it yourself before Demux
	// when you know better (a stream from Read or a custom source).
	TTY    bool
	Header http.Header
}

// Content types the daemon uses (API 1.42+) to say which kind it sends.
const (
	rawStreamType         = "application/vnd.docker.raw-stream"
	multiplexedStreamType = "application/vnd.docker.multiplexed-stream"
)

// outputBuffer is the read buffer of an Output: frames are written to the
// caller's writers straight from it.
const outputBuffer = 32 << 10

func (o *Output) open(resp *http.Response, op string) {
	o.r, o.closer, o.Header = bufio.NewReaderSize(bodyReader{resp.Body, op}, outputBuffer), resp.Body, resp.Header
	// Before API 1.42 the daemon labelled multiplexed logs raw too.
	o.TTY, _ = trustedKind(resp.Header, requestAPIVersion(resp))
}

// requestAPIVersion returns the API version in the path of the request
// that resp answers ("1.41" for /v1.41/...), or "".
func requestAPIVersion(resp *http.Response) string {
	if resp.Request == nil || resp.Request.URL == nil {
		return ""
	}
	rest, ok := strings.CutPrefix(resp.Request.URL.Path, "/v")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, "/")
	return v
}

// streamKind reads the content type a 1.42+ daemon sets on output streams.
func streamKind(h http.Header) (tty, known bool) {
	switch h.Get("Content-Type") {
	case rawStreamType:
		return true, true
	case multiplexedStreamType:
		return false, true
	}
	return false, false
}

// bodyReader names the operation in a failed read of a response body, in the
// form JSONStream uses: "docker: ContainerLogs: reading stream: context
// canceled".
type bodyReader struct {
	r  io.Reader
	op string
}

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		if b.op == "" {
			return n, fmt.Errorf("docker: reading stream: %w", err)
		}
		return n, fmt.Errorf("docker: %s: reading stream: %w", b.op, err)
	}
	return n, err
}

// Read returns the raw bytes, frame headers included when multiplexed. A
// read that fails (not at the end) closes the stream.
func (o *Output) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if err != nil && err != io.EOF {
		o.closer.Close()
	}
	return n, err
}

// Close ends the stream and frees its connection.
func (o *Output) Close() error { return o.closer.Close() }

// Demux copies stdout and stderr to their writers until the stream ends
// (nil error) or fails. A TTY stream goes to stdout whole. A nil writer
// discards its stream. An error the daemon sends in the stream (a frame of
// stream 3) is returned as a *StreamError, a malformed or truncated frame as
// a *FrameError. A Demux that fails closes the stream, freeing its
// connection even if the caller forgets Close.
func (o *Output) Demux(stdout, stderr io.Writer) error {
	var err error
	if o.TTY {
		if stdout == nil {
			stdout = io.Discard
		}
		_, err = io.Copy(stdout, o.r)
	} else {
		err = demux(stdout, stderr, o.r)
	}
	if err != nil {
		o.closer.Close()
	}
	return err
}

// Demux splits a multiplexed stdout/stderr stream read from src into stdout
// and stderr. It returns nil at the end of the stream. Use it for streams
// known to carry frames; Output.Demux also handles TTY streams. Payloads are
// written to the writers straight from the read buffer (src itself when it
// is a *bufio.Reader), never copied in between.
func Demux(stdout, stderr io.Writer, src io.Reader) error {
	br, ok := src.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(src, outputBuffer)
	}
	return demux(stdout, stderr, br)
}

// Stream numbers in a frame header.
const (
	streamStdin  = 0
	streamStdout = 1
	streamStderr = 2
	streamSystem = 3 // an error the daemon reports in-band
)

// FrameError reports a malformed or truncated frame of a multiplexed
// stream. A truncated stream's FrameError matches io.ErrUnexpectedEOF with
// errors.Is.
type FrameError struct {
	Msg string
	Err error // the cause, if any
}

func (e *FrameError) Error() string { return "docker: output stream: " + e.Msg }

func (e *FrameError) Unwrap() error { return e.Err }

// maxSystemFrame bounds an in-band error message.
const maxSystemFrame = 64 << 10

func demux(stdout, stderr io.Writer, br *bufio.Reader) error {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	for {
		hdr, err := br.Peek(8)
		if err != nil {
			switch {
			case len(hdr) == 0 && err == io.EOF:
				return nil
			case err == io.EOF:
				return &FrameError{Msg: fmt.Sprintf("stream ended after %d bytes of an 8-byte frame header", len(hdr)), Err: io.ErrUnexpectedEOF}
			}
			return err
		}
		if hdr[1] != 0 || hdr[2] != 0 || hdr[3] != 0 || hdr[0] > streamSystem {
			return &FrameError{Msg: fmt.Sprintf("bad frame header % x (is this a TTY stream?)", hdr)}
		}
		stream, size := hdr[0], int(binary.BigEndian.Uint32(hdr[4:]))
		if _, err := br.Discard(8); err != nil {
			return err
		}
		var dst io.Writer
		switch stream {
		case streamStdin, streamStdout:
			dst = stdout
		case streamStderr:
			dst = stderr
		case streamSystem:
			return systemFrame(br, size)
		}
		for size > 0 {
			n := br.Buffered()
			if n == 0 {
				if _, err := br.Peek(1); err != nil {
					if err == io.EOF {
						return &FrameError{Msg: fmt.Sprintf("stream ended with %d bytes of a frame missing", size), Err: io.ErrUnexpectedEOF}
					}
					return err
				}
				n = br.Buffered()
			}
			n = min(n, size)
			b, _ := br.Peek(n)
			m, werr := dst.Write(b)
			if werr == nil && m != n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return werr
			}
			_, _ = br.Discard(n)
			size -= n
		}
	}
}

// systemFrame reads an in-band error (stream 3) and returns it.
func systemFrame(br *bufio.Reader, size int) error {
	n := min(size, maxSystemFrame)
	msg := make([]byte, n)
	if _, err := io.ReadFull(br, msg); err != nil {
		return &FrameError{Msg: "stream ended inside an in-band error message", Err: io.ErrUnexpectedEOF}
	}
	text := string(msg)
	if size > n {
		text += "..."
	}
	return &StreamError{Message: cleanMessage(text, nil)}
}
