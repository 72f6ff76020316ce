package dockertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// Recording is what a recording file holds: the API version it was made
// with and the exchanges, in the order they happened. Written by a server
// started with Record, served by one started with Replay. The same file,
// written by hand, scripts a fake daemon for programs in any language
// (cmd/fakedockerd -replay FILE).
type Recording struct {
	Version   string     `json:"version"`
	Exchanges []Exchange `json:"exchanges"`
}

// Exchange is one call and its answer. Only Op is required: an exchange
// without Path or Query answers any call of its operation.
type Exchange struct {
	Op     string            `json:"op"`
	Method string            `json:"method,omitempty"`
	Path   string            `json:"path,omitempty"` // without the /v1.NN prefix
	Query  string            `json:"query,omitempty"`
	Status int               `json:"status,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	// Body is a JSON answer; Raw an answer in text, RawBase64 one in
	// bytes; Frames a stream.
	Body      json.RawMessage `json:"body,omitempty"`
	Raw       string          `json:"raw,omitempty"`
	RawBase64 []byte          `json:"rawBase64,omitempty"`
	Frames    []FileFrame     `json:"frames,omitempty"`
}

// FileFrame is a Frame as a file holds it: one of Stdout, Stderr, Message
// (a JSON stream's message) or Raw.
type FileFrame struct {
	Stdout  string          `json:"stdout,omitempty"`
	Stderr  string          `json:"stderr,omitempty"`
	Raw     string          `json:"raw,omitempty"`
	Message json.RawMessage `json:"message,omitempty"`
	DelayMS int             `json:"delayMs,omitempty"`
}

// ReadRecording reads a recording file.
func ReadRecording(file string) (*Recording, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("dockertest: %w", err)
	}
	var rec Recording
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return nil, fmt.Errorf("dockertest: %s: %w", file, err)
	}
	for i, e := range rec.Exchanges {
		if e.Op == "" {
			return nil, fmt.Errorf("dockertest: %s: exchange %d has no op (operationId)", file, i+1)
		}
	}
	return &rec, nil
}

// Replay serves the exchanges of a recording file: each call gets the
// answer of the first unused exchange of its operation with the same path
// and query, else of the first unused one of its operation, else (when all
// are used) the last of them again; operations the file lacks answer from
// the spec. Every answer is checked against the spec when the server
// starts. The version given to Start or NewServer must be the file's.
func Replay(file string) Option {
	return func(c *config) { c.replayFile = file }
}

// replayer serves a recording.
type replayer struct {
	file      string
	exchanges []Exchange
	answers   []Answer
	used      []bool
}

func (s *Server) loadReplay(file string) error {
	rec, err := ReadRecording(file)
	if err != nil {
		return err
	}
	if rec.Version != "" && rec.Version != s.version {
		return fmt.Errorf("dockertest: %s was recorded with API v%s; replay it with version %s, not %s",
			file, rec.Version, rec.Version, s.version)
	}
	r := &replayer{file: file, exchanges: rec.Exchanges, used: make([]bool, len(rec.Exchanges))}
	for i, e := range rec.Exchanges {
		at := fmt.Sprintf("%s: exchange %d (%s)", file, i+1, e.Op)
		rt := s.route(e.Op)
		if rt == nil {
			return fmt.Errorf("dockertest: %s: %s", at, s.unknownOp(e.Op))
		}
		a, err := e.answer()
		if err != nil {
			return fmt.Errorf("dockertest: %s: %w", at, err)
		}
		s.fail(e.Op, prefix(at+": ", s.checkAnswer(rt, &a)))
		r.answers = append(r.answers, a)
	}
	s.replay = r
	return nil
}

// answer turns an exchange into the Answer it stands for.
func (e *Exchange) answer() (Answer, error) {
	a := Answer{Status: e.Status}
	if e.Status == 101 {
		a.Status = 0 // a recorded hijack: the switch is the server's to make
	}
	for k, v := range e.Header {
		if a.Header == nil {
			a.Header = map[string][]string{}
		}
		a.Header.Set(k, v)
	}
	if len(e.Body) > 0 {
		dec := json.NewDecoder(bytes.NewReader(e.Body))
		dec.UseNumber()
		if err := dec.Decode(&a.Body); err != nil {
			return a, fmt.Errorf("body: %w", err)
		}
		if a.Body == nil {
			a.Raw = []byte("null\n")
		}
	}
	switch {
	case e.Raw != "":
		a.Raw = []byte(e.Raw)
	case e.RawBase64 != nil:
		a.Raw = e.RawBase64
	}
	for i, f := range e.Frames {
		fr := Frame{Delay: time.Duration(f.DelayMS) * time.Millisecond}
		n := 0
		if f.Stdout != "" {
			fr.Stream, fr.Data, n = 1, []byte(f.Stdout), n+1
		}
		if f.Stderr != "" {
			fr.Stream, fr.Data, n = 2, []byte(f.Stderr), n+1
		}
		if f.Raw != "" {
			fr.Data, n = []byte(f.Raw), n+1
		}
		if len(f.Message) > 0 {
			dec := json.NewDecoder(bytes.NewReader(f.Message))
			dec.UseNumber()
			if err := dec.Decode(&fr.Value); err != nil {
				return a, fmt.Errorf("frame %d: message: %w", i+1, err)
			}
			n++
		}
		if n != 1 {
			return a, fmt.Errorf("frame %d: want one of stdout, stderr, raw or message, got %d", i+1, n)
		}
		a.Frames = append(a.Frames, fr)
	}
	return a, nil
}

// next picks the exchange for a call.
func (r *replayer) next(rt *route, c Call) *Answer {
	path := c.Path
	if loc := versionPrefix.FindStringIndex(path); loc != nil {
		path = path[loc[1]-1:]
	}
	query := c.Query.Encode()
	pick, last := -1, -1
	for pass := 0; pass < 2 && pick < 0; pass++ {
		for i, e := range r.exchanges {
			if e.Op != rt.op.ID || (e.Method != "" && e.Method != c.Method) {
				continue
			}
			exact := (e.Path == "" || e.Path == path) && (e.Query == "" || sameQuery(e.Query, query))
			if pass == 0 && !exact {
				continue
			}
			if pass == 0 {
				last = i
			}
			if !r.used[i] {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		pick = last
	}
	if pick < 0 {
		for i := len(r.exchanges) - 1; i >= 0; i-- {
			if r.exchanges[i].Op == rt.op.ID {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		return nil
	}
	r.used[pick] = true
	a := r.answers[pick]
	return &a
}

// sameQuery compares two queries whatever the order of their parameters.
func sameQuery(a, b string) bool {
	pa, _ := url.ParseQuery(a)
	pb, _ := url.ParseQuery(b)
	return pa.Encode() == pb.Encode()
}

// text returns b as a string when a file can hold it as text.
func text(b []byte) (string, bool) {
	if utf8.Valid(b) && !strings.ContainsRune(string(b), 0) {
		return string(b), true
	}
	return "", false
}
