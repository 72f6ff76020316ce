package buildkit

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// Status is one progress update of a build: the vertexes (steps) whose
// state changed, the progress of their transfers, what they printed, and
// the warnings found. The daemon sends many; a Vertex appears again each
// time it changes (started, then completed, cached or errored).
type Status struct {
	Vertexes []Vertex
	Statuses []VertexStatus
	Logs     []VertexLog
	Warnings []Warning
}

// Vertex is one step of the build graph, "[build 2/4] RUN make" say.
type Vertex struct {
	Digest    string   // identifies the vertex in Logs, Statuses and Warnings
	Inputs    []string // digests of the vertexes it depends on
	Name      string
	Cached    bool      // the step's result came from the build cache
	Started   time.Time // zero until the step starts
	Completed time.Time // zero until it ends
	Error     string    // why the step failed; "" when it did not
}

// Done reports whether the step has ended, well or not.
func (v *Vertex) Done() bool { return !v.Completed.IsZero() }

// VertexStatus is the progress of one task within a vertex: a layer being
// transferred, a context being sent.
type VertexStatus struct {
	ID        string
	Vertex    string // digest of its vertex
	Name      string
	Current   int64
	Total     int64 // 0 when unknown
	Timestamp time.Time
	Started   time.Time
	Completed time.Time
}

// VertexLog is a chunk a step printed: Stream 1 is stdout, 2 stderr. A
// chunk is not a line; lines may be cut across chunks.
type VertexLog struct {
	Vertex    string // digest of its vertex
	Stream    int
	Data      []byte
	Timestamp time.Time
}

// Warning is something the build found wrong without failing, a
// Dockerfile lint say (Docker 27 and later).
type Warning struct {
	Vertex string
	Level  int
	Short  string
	Detail []string
	URL    string
}

// decodeTrace decodes the aux value of a "moby.buildkit.trace" message: a
// JSON string holding a base64 protobuf StatusResponse.
func decodeTrace(aux []byte) (*Status, error) {
	var b64 string
	if err := jsonwire.Unmarshal(aux, &b64); err != nil {
		return nil, fmt.Errorf("buildkit: a progress message is not a base64 string: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("buildkit: a progress message is not base64: %w", err)
	}
	st, err := decodeStatus(raw)
	if err != nil {
		return nil, fmt.Errorf("buildkit: decoding a progress message: %w", err)
	}
	return st, nil
}

// decodeStatus decodes a moby.buildkit.v1.StatusResponse.
func decodeStatus(b []byte) (*Status, error) {
	st := &Status{}
	r := reader{b: b}
	for num, typ, ok := r.next(); ok; num, typ, ok = r.next() {
		switch num {
		case 1:
			if m := r.message(typ); m != nil {
				st.Vertexes = append(st.Vertexes, decodeVertex(m, &r))
			}
		case 2:
			if m := r.message(typ); m != nil {
				st.Statuses = append(st.Statuses, decodeVertexStatus(m, &r))
			}
		case 3:
			if m := r.message(typ); m != nil {
				st.Logs = append(st.Logs, decodeVertexLog(m, &r))
			}
		case 4:
			if m := r.message(typ); m != nil {
				st.Warnings = append(st.Warnings, decodeWarning(m, &r))
			}
		default:
			r.skip(typ)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return st, nil
}

// The decoders of nested messages report a malformed one through the
// outer reader, so that one check at the end covers all.

func decodeVertex(b []byte, outer *reader) Vertex {
	var v Vertex
	r := reader{b: b}
	for num, typ, ok := r.next(); ok; num, typ, ok = r.next() {
		switch num {
		case 1:
			v.Digest = r.string(typ)
		case 2:
			v.Inputs = append(v.Inputs, r.string(typ))
		case 3:
			v.Name = r.string(typ)
		case 4:
			v.Cached = r.int(typ) != 0
		case 5:
			v.Started = r.timestamp(typ)
		case 6:
			v.Completed = r.timestamp(typ)
		case 7:
			v.Error = r.string(typ)
		default: // 8, the progress group, is for displays that fold steps
			r.skip(typ)
		}
	}
	passErr(outer, &r)
	return v
}

func decodeVertexStatus(b []byte, outer *reader) VertexStatus {
	var s VertexStatus
	r := reader{b: b}
	for num, typ, ok := r.next(); ok; num, typ, ok = r.next() {
		switch num {
		case 1:
			s.ID = r.string(typ)
		case 2:
			s.Vertex = r.string(typ)
		case 3:
			s.Name = r.string(typ)
		case 4:
			s.Current = r.int(typ)
		case 5:
			s.Total = r.int(typ)
		case 6:
			s.Timestamp = r.timestamp(typ)
		case 7:
			s.Started = r.timestamp(typ)
		case 8:
			s.Completed = r.timestamp(typ)
		default:
			r.skip(typ)
		}
	}
	passErr(outer, &r)
	return s
}

func decodeVertexLog(b []byte, outer *reader) VertexLog {
	var l VertexLog
	r := reader{b: b}
	for num, typ, ok := r.next(); ok; num, typ, ok = r.next() {
		switch num {
		case 1:
			l.Vertex = r.string(typ)
		case 2:
			l.Timestamp = r.timestamp(typ)
		case 3:
			l.Stream = int(r.int(typ))
		case 4:
			// Copied: the message's buffer is not kept.
			l.Data = append([]byte(nil), r.message(typ)...)
		default:
			r.skip(typ)
		}
	}
	passErr(outer, &r)
	return l
}

func decodeWarning(b []byte, outer *reader) Warning {
	var w Warning
	r := reader{b: b}
	for num, typ, ok := r.next(); ok; num, typ, ok = r.next() {
		switch num {
		case 1:
			w.Vertex = r.string(typ)
		case 2:
			w.Level = int(r.int(typ))
		case 3:
			w.Short = r.string(typ)
		case 4:
			w.Detail = append(w.Detail, r.string(typ))
		case 5:
			w.URL = r.string(typ)
		default: // 6 and 7 locate the warning in the Dockerfile
			r.skip(typ)
		}
	}
	passErr(outer, &r)
	return w
}

func passErr(outer, inner *reader) {
	if inner.err != nil && outer.err == nil {
		outer.err = inner.err
	}
}
