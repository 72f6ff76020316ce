package docker

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Stream is a response body handed to the caller as it arrives: a tar
// archive (ContainerArchive, ContainerExport, ImageGet), say. Read it, then
// Close it; closing early abandons the transfer and frees the connection.
type Stream struct {
	io.ReadCloser
	Header http.Header
}

// NewStream wraps a response whose body the caller will read.
func NewStream(resp *http.Response) *Stream {
	return &Stream{ReadCloser: resp.Body, Header: resp.Header}
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

// DecodePathStat decodes the X-Docker-Container-Path-Stat header value.
func DecodePathStat(h string) (*PathStat, error) {
	if h == "" {
		return nil, errors.New("docker: response has no " + PathStatHeader + " header")
	}
	raw, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		// Some daemons and proxies use the URL-safe alphabet.
		if raw, err = base64.URLEncoding.DecodeString(h); err != nil {
			return nil, fmt.Errorf("docker: %s header is not base64: %w", PathStatHeader, err)
		}
	}
	var st PathStat
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("docker: %s header is not a JSON path stat: %w", PathStatHeader, err)
	}
	return &st, nil
}

// Output is a container's or an exec's output: ContainerLogs, ContainerAttach
// (without stdin), ServiceLogs, TaskLogs. Without a TTY the daemon
// multiplexes stdout and stderr in 8-byte-header frames; with a TTY it sends
// raw bytes. Demux handles both: it never feeds a TTY stream to the frame
// parser, which is how other clients corrupt TTY output.
type Output struct {
	r      *bufio.Reader
	closer io.Closer
	// TTY says the stream is raw. It is set from the response's content type
	// when the daemon states it (API 1.42+), otherwise from the first bytes;
	// set it yourself when you know better.
	TTY    bool
	sniffd bool
	Header http.Header
}

// Content types the daemon uses (API 1.42+) to say which kind it sends.
const (
	rawStreamType         = "application/vnd.docker.raw-stream"
	multiplexedStreamType = "application/vnd.docker.multiplexed-stream"
)

// NewOutput wraps a response carrying container output.
func NewOutput(resp *http.Response) *Output {
	o := &Output{r: bufio.NewReaderSize(resp.Body, 32<<10), closer: resp.Body, Header: resp.Header}
	switch resp.Header.Get("Content-Type") {
	case rawStreamType:
		o.TTY, o.sniffd = true, true
	case multiplexedStreamType:
		o.sniffd = true
	}
	return o
}

// newOutputFrom wraps any reader (a hijacked connection).
func newOutputFrom(r *bufio.Reader, c io.Closer, tty bool) *Output {
	return &Output{r: r, closer: c, TTY: tty, sniffd: true}
}

// sniff decides between raw and multiplexed when nobody said: a frame starts
// with a stream byte 0-3 and three zero bytes, which text never does.
func (o *Output) sniff() {
	if o.sniffd {
		return
	}
	o.sniffd = true
	b, err := o.r.Peek(4)
	if err != nil && len(b) < 4 {
		if len(b) > 0 {
			o.TTY = true
		}
		return
	}
	o.TTY = !(b[0] <= 3 && b[1] == 0 && b[2] == 0 && b[3] == 0)
}

// Read returns the raw bytes, frame headers included when multiplexed.
func (o *Output) Read(p []byte) (int, error) { return o.r.Read(p) }

// Close ends the stream and frees its connection.
func (o *Output) Close() error { return o.closer.Close() }

// Demux copies stdout and stderr to their writers until the stream ends
// (nil error) or fails. A TTY stream goes to stdout whole. A nil writer
// discards its stream.
func (o *Output) Demux(stdout, stderr io.Writer) error {
	o.sniff()
	if o.TTY {
		if stdout == nil {
			stdout = io.Discard
		}
		_, err := io.Copy(stdout, o.r)
		return err
	}
	return demux(stdout, stderr, o.r)
}

// Demux splits a multiplexed stdout/stderr stream read from src into stdout
// and stderr. It returns nil at the end of the stream. Use it for streams
// known to carry frames; Output.Demux also handles TTY streams.
func Demux(stdout, stderr io.Writer, src io.Reader) error {
	return demux(stdout, stderr, src)
}

// Stream numbers in a frame header.
const (
	streamStdin  = 0
	streamStdout = 1
	streamStderr = 2
	streamSystem = 3 // an error the daemon reports in-band
)

// FrameError reports a malformed frame or an error the daemon sent in-band.
type FrameError struct{ Msg string }

func (e *FrameError) Error() string { return "docker: output stream: " + e.Msg }

// maxSystemFrame bounds an in-band error message.
const maxSystemFrame = 64 << 10

func demux(stdout, stderr io.Writer, src io.Reader) error {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	var hdr [8]byte
	buf := make([]byte, 32<<10)
	for {
		if _, err := io.ReadFull(src, hdr[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			if err == io.ErrUnexpectedEOF {
				return &FrameError{Msg: "truncated frame header"}
			}
			return err
		}
		size := int64(binary.BigEndian.Uint32(hdr[4:]))
		var dst io.Writer
		switch hdr[0] {
		case streamStdin, streamStdout:
			dst = stdout
		case streamStderr:
			dst = stderr
		case streamSystem:
			if size > maxSystemFrame {
				return &FrameError{Msg: fmt.Sprintf("in-band error of %d bytes", size)}
			}
			msg := make([]byte, size)
			if _, err := io.ReadFull(src, msg); err != nil {
				return &FrameError{Msg: "truncated in-band error"}
			}
			return &FrameError{Msg: "daemon error: " + string(msg)}
		default:
			return &FrameError{Msg: fmt.Sprintf("unknown stream %d in frame header (is this a TTY stream?)", hdr[0])}
		}
		for size > 0 {
			n := int64(len(buf))
			if size < n {
				n = size
			}
			m, err := io.ReadFull(src, buf[:n])
			if m > 0 {
				if _, werr := dst.Write(buf[:m]); werr != nil {
					return werr
				}
			}
			if err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return &FrameError{Msg: "truncated frame"}
				}
				return err
			}
			size -= int64(m)
		}
	}
}
