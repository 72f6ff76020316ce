package docker

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzErrorMessage: whatever an error response holds, the message taken
// from it is valid UTF-8 without control characters (but tabs), bounded,
// and the daemon's own message when the body is {"message": ...} of
// printable text.
func FuzzErrorMessage(f *testing.F) {
	f.Add([]byte(`{"message":"No such container: x"}`))
	f.Add([]byte("plain text"))
	f.Add([]byte(`{"message":""}`))
	f.Add([]byte("\xff\xfe<html>"))
	f.Add([]byte(`{"message":123}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := cleanMessage(errorMessage(body), nil)
		if !utf8.ValidString(msg) {
			t.Fatalf("message %q is not UTF-8", msg)
		}
		if len(msg) > maxMessage+3 {
			t.Fatalf("message of %d bytes", len(msg))
		}
		for _, r := range msg {
			if r != '\t' && unicode.IsControl(r) {
				t.Fatalf("message %q holds the control character %U", msg, r)
			}
		}
		var m struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &m) == nil && m.Message != "" && strings.TrimSpace(string(body))[0] == '{' &&
			len(m.Message) <= maxMessage && !strings.ContainsFunc(m.Message, unicode.IsControl) && utf8.ValidString(m.Message) &&
			msg != m.Message {
			t.Fatalf("daemon message %q came out as %q", m.Message, msg)
		}
	})
}

// FuzzFiltersEncoding: any filters round-trip through the query string as
// the JSON object the daemon decodes.
func FuzzFiltersEncoding(f *testing.F) {
	f.Add("label", "app=web", "status", "running")
	f.Add("", "", "a&b=c", "\x00\xff")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		for _, s := range []string{k1, v1, k2, v2} {
			if !utf8.ValidString(s) {
				t.Skip("JSON cannot carry invalid UTF-8; encoding/json replaces it")
			}
		}
		in := Filters{}.Add(k1, v1).Add(k2, v2)
		r := NewRequest("ContainerList", "1.41", "GET", "/containers/json")
		r.QueryJSON("filters", in)
		q, err := url.ParseQuery(r.RawQuery())
		if err != nil {
			t.Fatalf("query %q does not parse: %v", r.RawQuery(), err)
		}
		var out map[string][]string
		if err := json.Unmarshal([]byte(q.Get("filters")), &out); err != nil {
			t.Fatalf("filters %q are not JSON: %v", q.Get("filters"), err)
		}
		for k, vs := range in {
			got := out[k]
			if len(got) != len(vs) {
				t.Fatalf("filter %q: %q, want %q", k, got, vs)
			}
			for i := range vs {
				if got[i] != vs[i] {
					t.Fatalf("filter %q value %d: %q, want %q", k, i, got[i], vs[i])
				}
			}
		}
	})
}
