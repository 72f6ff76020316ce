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

// Exchange is one call and its answer. Only Op is required. A recorded
// exchange has a Path and answers only a call with that path and query
// (an empty Query is a call without one). Files written by hand may use
// wildcards: an exchange without Path answers a call of its operation
// with any path and, unless Query is given, any query; Query "*" matches
// any query.
type Exchange struct {
	Op     string            `json:"op"`
	Method string            `json:"method,omitempty"`
	Path   string            `json:"path,omitempty"`  // without the /v1.NN prefix
	Query  string            `json:"query,omitempty"` // "*": any
	Status int               `json:"status,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	// Body is a JSON answer; Raw an answer in text, RawBase64 one in
	// bytes; Frames a stream.
	Body      json.RawMessage `json:"body,omitempty"`
	Raw       string          `json:"raw,omitempty"`
	RawBase64 []byte          `json:"rawBase64,omitempty"`
	Frames    []FileFrame     `json:"frames,omitempty"`
	// Truncated marks an answer whose body was longer than a recording
	// keeps: the file holds none of it, and replaying it fails the test.
	Truncated bool `json:"truncated,omitempty"`
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
// answer of the first unused exchange that matches its operation, method,
// path and query (see Exchange for the wildcards of hand-written files),
// else, when all of those are used, the last of them again. A call of an
// operation the file has but with no matching exchange fails the test and
// is answered 500: it never gets another call's answer. Operations the
// file lacks answer from the spec. Every answer is checked against the spec when the server
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
		if !e.Truncated {
			s.fail(e.Op, prefix(at+": ", s.checkAnswer(rt, &a)))
		}
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

// next picks the exchange for a call: the first unused one that matches
// it, else the last one that matched it, again. A recorded exchange matches
// only its own path and query (an empty query is none); an exchange
// without a path (written by hand) matches any path, and one with query
// "*" any query. An exact match comes before a wildcard one. next returns
// nil when the file has no exchange of the operation (the spec answers);
// miss when it has some but none matches the call; cut when the exchange's
// answer was cut short when it was recorded.
func (r *replayer) next(rt *route, c Call) (a *Answer, miss, cut bool) {
	path := c.Path
	if loc := versionPrefix.FindStringIndex(path); loc != nil {
		path = path[loc[1]-1:]
	}
	query := c.Query.Encode()
	var exact, wild []int
	hasOp := false
	for i, e := range r.exchanges {
		if e.Op != rt.op.ID {
			continue
		}
		hasOp = true
		if e.Method != "" && e.Method != c.Method {
			continue
		}
		pathOK, pathWild := e.Path == path, e.Path == ""
		queryWild := e.Query == "*" || (pathWild && e.Query == "")
		queryOK := queryWild || sameQuery(e.Query, query)
		switch {
		case pathOK && queryOK && !queryWild:
			exact = append(exact, i)
		case (pathOK || pathWild) && queryOK:
			wild = append(wild, i)
		}
	}
	pick := -1
	for _, set := range [][]int{exact, wild} {
		for _, i := range set {
			if !r.used[i] {
				pick = i
				break
			}
		}
		if pick >= 0 {
			break
		}
	}
	if pick < 0 {
		switch {
		case len(exact) > 0:
			pick = exact[len(exact)-1]
		case len(wild) > 0:
			pick = wild[len(wild)-1]
		default:
			return nil, hasOp, false
		}
	}
	r.used[pick] = true
	if r.exchanges[pick].Truncated {
		return nil, false, true
	}
	ans := r.answers[pick]
	return &ans, false, false
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
