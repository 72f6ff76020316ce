package docker_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockerclient/docker"
	"github.com/dockerclient/docker/v141"
)

// trickyPassword's JSON credential encodes to standard base64 with '+' and
// '/' in it, which base64url must not have.
const trickyPassword = "pass>?~word"

func TestAuthEncodeIsBase64URL(t *testing.T) {
	a := &docker.AuthConfig{Username: "dockersdk", Password: trickyPassword, ServerAddress: "127.0.0.1:5099"}
	raw, _ := json.Marshal(a)
	if std := base64.StdEncoding.EncodeToString(raw); !strings.ContainsAny(std, "+/") {
		t.Fatalf("fixture: standard base64 %q has neither '+' nor '/'", std)
	}
	enc, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(enc, "+/") {
		t.Fatalf("Encode() = %q: not the URL-safe alphabet", enc)
	}
	dec, err := base64.URLEncoding.DecodeString(enc)
	var back docker.AuthConfig
	if err != nil || json.Unmarshal(dec, &back) != nil || back.Password != trickyPassword || back.Username != "dockersdk" {
		t.Fatalf("decoded %q, %v", dec, err)
	}

	// The header ImagePush sends is the same.
	var header string
	_, cli := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Get("X-Registry-Auth")
		w.Write([]byte(`{"status":"pushed"}` + "\n"))
	}))
	s, err := cli.ImagePush(context.Background(), "127.0.0.1:5099/x", v141.ImagePushOptions{RegistryAuth: a})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	if header != enc {
		t.Fatalf("X-Registry-Auth %q, want %q", header, enc)
	}
}

func TestRegistryHost(t *testing.T) {
	for ref, want := range map[string]string{
		"busybox":                          "docker.io",
		"busybox:latest":                   "docker.io",
		"library/busybox":                  "docker.io",
		"docker.io/library/busybox":        "docker.io",
		"index.docker.io/library/busybox":  "docker.io",
		"registry-1.docker.io/x/y:1":       "docker.io",
		"https://index.docker.io/v1/":      "docker.io",
		"localhost:5000/x":                 "localhost:5000",
		"localhost/x":                      "localhost",
		"127.0.0.1:5000/dockersdk/busybox": "127.0.0.1:5000",
		"ghcr.io/owner/app@sha256:0123":    "ghcr.io",
		"GHCR.io/owner/app":                "ghcr.io",
		"Registry/x":                       "registry",
		"https://localhost:5000":           "localhost:5000",
		"http://my.registry:8443/v2/":      "my.registry:8443",
		"myuser/app":                       "docker.io",
	} {
		if got := docker.RegistryHost(ref); got != want {
			t.Errorf("RegistryHost(%q) = %q, want %q", ref, got, want)
		}
	}
}

// writeConfig writes config.json into a new DOCKER_CONFIG folder.
func writeConfig(t *testing.T, cfg string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
	return dir
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestResolveCredentialsFromAuths(t *testing.T) {
	writeConfig(t, `{"auths": {
		"https://index.docker.io/v1/": {"auth": "`+b64("hubuser:hub:pass")+`"},
		"localhost:5000": {"auth": "`+b64("local:"+trickyPassword)+`", "email": "me@example.com"},
		"https://registry.example.com": {"identitytoken": "id-token-1"},
		"ghcr.io": {"username": "gh", "password": "gh-pass"},
		"empty.example.com": {}
	}}`)
	for _, tc := range []struct {
		ref  string
		want docker.AuthConfig
	}{
		{"busybox", docker.AuthConfig{Username: "hubuser", Password: "hub:pass", ServerAddress: docker.DockerHubServer}},
		{"docker.io/library/busybox:latest", docker.AuthConfig{Username: "hubuser", Password: "hub:pass", ServerAddress: docker.DockerHubServer}},
		{"index.docker.io/x/y", docker.AuthConfig{Username: "hubuser", Password: "hub:pass", ServerAddress: docker.DockerHubServer}},
		{"localhost:5000/x", docker.AuthConfig{Username: "local", Password: trickyPassword, Email: "me@example.com", ServerAddress: "localhost:5000"}},
		{"registry.example.com/app:1", docker.AuthConfig{IdentityToken: "id-token-1", ServerAddress: "registry.example.com"}},
		{"ghcr.io/o/app", docker.AuthConfig{Username: "gh", Password: "gh-pass", ServerAddress: "ghcr.io"}},
		{"empty.example.com/x", docker.AuthConfig{ServerAddress: "empty.example.com"}},
		{"quay.io/x", docker.AuthConfig{ServerAddress: "quay.io"}},
	} {
		got, err := docker.ResolveCredentials(tc.ref)
		if err != nil {
			t.Fatalf("%s: %v", tc.ref, err)
		}
		if *got != tc.want {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tc.want)
			t.Errorf("%s: %s, want %s", tc.ref, g, w)
		}
	}
	// Lookup takes a server address or host.
	a, err := docker.CredentialStore{}.Lookup(context.Background(), "https://localhost:5000")
	if err != nil || a.Username != "local" {
		t.Fatalf("Lookup: %v %v", a, err)
	}
}

func TestResolveCredentialsNoConfig(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	a, err := docker.ResolveCredentials("busybox")
	if err != nil || *a != (docker.AuthConfig{ServerAddress: docker.DockerHubServer}) {
		t.Fatalf("%v, %v", a, err)
	}
	// ConfigDir wins over DOCKER_CONFIG.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"auths":{"docker.io":{"auth":"`+b64("u:p")+`"}}}`), 0o600)
	a, err = docker.CredentialStore{ConfigDir: dir}.Resolve(context.Background(), "busybox")
	if err != nil || a.Username != "u" || a.Password != "p" {
		t.Fatalf("%v, %v", a, err)
	}
}

// installHelpers puts shell scripts named docker-credential-NAME first on
// PATH.
func installHelpers(t *testing.T, scripts map[string]string) string {
	t.Helper()
	bin := t.TempDir()
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(bin, "docker-credential-"+name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return bin
}

func TestResolveCredentialsFromHelpers(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh for fake credential helpers")
	}
	bin := installHelpers(t, map[string]string{
		// Records its argument and stdin, then answers as
		// docker-credential-helpers do.
		"fake": `echo "$1 $(cat)" >> "$(dirname "$0")/calls"
case $(tail -n1 "$(dirname "$0")/calls") in
"get localhost:5000") echo '{"ServerURL":"localhost:5000","Username":"helperuser","Secret":"helper-secret"}' ;;
"get https://index.docker.io/v1/") echo '{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"hub-identity-token"}' ;;
*) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
		"store": `cat >/dev/null; echo '{"ServerURL":"x","Username":"from-store","Secret":"store-secret"}'`,
	})
	writeConfig(t, `{
		"credsStore": "fake",
		"credHelpers": {"localhost:5000": "fake", "other.example.com": "store"},
		"auths": {"fallback.example.com": {"auth": "`+b64("fileuser:filepass")+`"}}
	}`)
	for ref, want := range map[string]docker.AuthConfig{
		"localhost:5000/x":          {Username: "helperuser", Password: "helper-secret", ServerAddress: "localhost:5000"},
		"busybox":                   {IdentityToken: "hub-identity-token", ServerAddress: docker.DockerHubServer},
		"other.example.com/x":       {Username: "from-store", Password: "store-secret", ServerAddress: "other.example.com"},
		"fallback.example.com/x":    {Username: "fileuser", Password: "filepass", ServerAddress: "fallback.example.com"},
		"nothing.example.com/x:1":   {ServerAddress: "nothing.example.com"},
		"https://localhost:5000/v2": {Username: "helperuser", Password: "helper-secret", ServerAddress: "localhost:5000"},
	} {
		got, err := docker.ResolveCredentials(ref)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if *got != want {
			g, _ := json.Marshal(got)
			t.Errorf("%s: %s", ref, g)
		}
	}
	calls, _ := os.ReadFile(filepath.Join(bin, "calls"))
	for _, want := range []string{"get localhost:5000\n", "get https://index.docker.io/v1/\n", "get fallback.example.com\n"} {
		if !strings.Contains(string(calls), want) {
			t.Errorf("helper calls %q lack %q", calls, want)
		}
	}
}

// TestCredentialErrorsDoNotLeak: whatever goes wrong, no secret reaches
// an error message.
func TestCredentialErrorsDoNotLeak(t *testing.T) {
	installHelpers(t, map[string]string{
		"leaky-fail":  `cat >/dev/null; echo '{"ServerURL":"x","Username":"u","Secret":"TOPSECRET-1"}'; exit 1`,
		"bad-output":  `cat >/dev/null; echo 'Username u Secret TOPSECRET-2 (not JSON)'`,
		"plain-fail":  `cat >/dev/null; echo 'keychain is locked'; exit 3`,
		"stderr-fail": `cat >/dev/null; echo 'password TOPSECRET-5 rejected' >&2; exit 1`,
		"hang":        `exec sleep 30`,
	})
	for _, tc := range []struct {
		config, ref, want string
	}{
		{`{"credsStore":"leaky-fail"}`, "busybox", "not shown"},
		{`{"credsStore":"bad-output"}`, "busybox", "printed something other than a credential"},
		{`{"credsStore":"plain-fail"}`, "busybox", "keychain is locked"},
		{`{"credsStore":"stderr-fail"}`, "busybox", "not shown"},
		{`{"credsStore":"missing"}`, "busybox", "docker-credential-missing is not installed"},
		{`{"credsStore":"../../bin/sh"}`, "busybox", "not a credential helper name"},
		{`{"auths":{"x.io":{"auth":"TOPSECRET-3 is not base64"}}}`, "x.io/a", "is not base64"},
		{`{"auths":{"x.io":{"auth":"` + b64("TOPSECRET-4") + `"}}}`, "x.io/a", "is not user:password"},
		{`{"auths":{"x.io":{"auth":"TOPSECRET-6"`, "x.io/a", "is not valid JSON"},
		{`{"auths":{"x.io":"TOPSECRET-7"}}`, "x.io/a", "does not have the layout"},
	} {
		writeConfig(t, tc.config)
		a, err := docker.ResolveCredentials(tc.ref)
		if err == nil {
			t.Errorf("%s: no error, got %v", tc.config, a)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q lacks %q", tc.config, err, tc.want)
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, "TOPSECRET") {
				t.Errorf("%s: error leaks a secret: %s", tc.config, s)
			}
		}
	}

	// A helper that hangs is stopped by the context.
	writeConfig(t, `{"credsStore":"hang"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := docker.CredentialStore{}.Resolve(ctx, "busybox")
	if err == nil || time.Since(start) > 10*time.Second || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("hanging helper: %v after %v", err, time.Since(start))
	}
}

// TestAuthConfigRedacted: no fmt verb, no slog handler, no container type
// around it shows a secret.
func TestAuthConfigRedacted(t *testing.T) {
	a := docker.AuthConfig{Username: "user1", Password: "TOPSECRET-pw", Auth: b64("user1:TOPSECRET-pw"),
		IdentityToken: "TOPSECRET-id", RegistryToken: "TOPSECRET-reg", ServerAddress: "localhost:5000"}
	type wrapper struct {
		Name string
		Auth docker.AuthConfig
		Ptr  *docker.AuthConfig
	}
	values := []any{a, &a, []docker.AuthConfig{a}, map[string]docker.AuthConfig{"r": a}, wrapper{"w", a, &a},
		fmt.Errorf("pushing with %v: failed", a)}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10.3v", "%-v"}
	for _, v := range values {
		for _, verb := range verbs {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "TOPSECRET") || strings.Contains(s, b64("user1:TOPSECRET-pw")) {
				t.Errorf("Sprintf(%q, %T) = %s", verb, v, s)
			}
		}
	}
	if s := fmt.Sprint(a); !strings.Contains(s, "user1") || !strings.Contains(s, "localhost:5000") {
		t.Errorf("String() = %s: the user and server should show", s)
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		slog.New(h).Info("pull", "auth", a, "ptr", &a)
	}
	if strings.Contains(buf.String(), "TOPSECRET") || !strings.Contains(buf.String(), "user1") {
		t.Errorf("slog: %s", buf.String())
	}
}
