package dialer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any DOCKER_HOST string either parses to an endpoint whose
// normalised form parses to the same endpoint, or fails with a *ParseError
// that quotes it; never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"unix:///var/run/docker.sock", "/run/docker.sock", "tcp://127.0.0.1:2375", "tcp://[::1]:2376",
		"ssh://user@host:2222", "npipe:////./pipe/docker_engine", "fd://", "https://h", "http://h:1",
		"host:2375", "tcp://h/path", "ssh://a:b@c", "unix://", "", "::", "tcp://:0", "ssh://-oProxyCommand=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		ep, err := Parse(host)
		if err != nil {
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("Parse(%q) error is %T, want *ParseError", host, err)
			}
			if pe.Host != host {
				t.Fatalf("ParseError.Host = %q, want %q", pe.Host, host)
			}
			return
		}
		again, err := Parse(ep.Host)
		if err != nil {
			t.Fatalf("normalised %q (from %q) does not parse: %v", ep.Host, host, err)
		}
		if again.Scheme != ep.Scheme || again.Address != ep.Address {
			t.Fatalf("%q -> %s %s, but its normalised form %q -> %s %s", host, ep.Scheme, ep.Address, ep.Host, again.Scheme, again.Address)
		}
		if ep.SSH != nil && strings.HasPrefix(ep.SSH.Host, "-") {
			t.Fatalf("ssh host %q would be read by ssh as an option", ep.SSH.Host)
		}
	})
}

// FuzzContextMeta: whatever a context's meta.json holds, FromEnvironment
// returns an endpoint or an error; never a panic.
func FuzzContextMeta(f *testing.F) {
	f.Add(`{"Name":"x","Endpoints":{"docker":{"Host":"tcp://127.0.0.1:2375","SkipTLSVerify":false}}}`)
	f.Add(`{"Name":"x","Endpoints":{"docker":{"Host":"ssh://u@h"}}}`)
	f.Add(`{"Endpoints":{}}`)
	f.Add(`{"Endpoints":{"docker":null}}`)
	f.Add(`[]`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, meta string) {
		dir := t.TempDir()
		metaDir := filepath.Join(dir, "contexts", "meta", contextDigest("x"))
		if err := os.MkdirAll(metaDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(metaDir, "meta.json"), []byte(meta), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"DOCKER_CONFIG": dir, "DOCKER_CONTEXT": "x"}
		ep, err := FromEnvironment(func(k string) string { return env[k] })
		if err == nil && ep == nil {
			t.Fatal("nil endpoint without an error")
		}
	})
}
