package gensupport_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/dockerclient/docker"
	. "github.com/dockerclient/docker/internal/gensupport"
)

func TestRequestSendsOnlyWhatWasSet(t *testing.T) {
	r := NewRequest("ContainerStop", "1.41", "POST", "/containers/{id}/stop")
	r.PathParam("id", "web")
	QueryNumber[int](r, "t", nil)
	r.QueryBool("all", false)
	r.Query("signal", "")
	r.QueryStrings("x", nil)
	r.QueryJSON("filters", docker.Filters(nil))
	r.QueryBoolPtr("stream", nil)
	if q := r.RawQuery(); q != "" {
		t.Fatalf("unset parameters were sent: %q", q)
	}
	zero := 0
	QueryNumber(r, "t", &zero)
	r.QueryBoolPtr("stream", docker.Ptr(false))
	if got, want := r.RawQuery(), "t=0&stream=false"; got != want {
		t.Fatalf("query = %q, want %q (an explicit zero must be sent)", got, want)
	}
	path, err := r.URLPath()
	if err != nil || path != "/v1.41/containers/web/stop" {
		t.Fatalf("path = %q, %v", path, err)
	}
}

func TestRequestEncodesValues(t *testing.T) {
	r := NewRequest("ImageBuild", "1.41", "POST", "/build")
	r.Query("t", "a b&c")
	r.QueryStrings("t", []string{"x", "y"})
	r.QueryBool("q", true)
	r.QueryJSON("filters", docker.Filters{"label": {"app=web"}})
	r.QueryJSON("buildargs", map[string]string{"A": "1"})
	r.QueryJoined("platforms", []string{"linux/amd64", "linux/arm64"}, ",")
	QueryNumber(r, "memory", docker.Ptr(int64(-1)))
	QueryNumber(r, "cpus", docker.Ptr(uint64(18446744073709551615)))
	QueryNumber(r, "ratio", docker.Ptr(1.5))
	v, err := url.ParseQuery(r.RawQuery())
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][]string{
		"t":         {"a b&c", "x", "y"},
		"q":         {"true"},
		"filters":   {`{"label":["app=web"]}`},
		"buildargs": {`{"A":"1"}`},
		"platforms": {"linux/amd64,linux/arm64"},
		"memory":    {"-1"},
		"cpus":      {"18446744073709551615"},
		"ratio":     {"1.5"},
	}
	for k, want := range checks {
		if got := v[k]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestRequestPathParams(t *testing.T) {
	cases := []struct {
		tmpl, name, value, want string
	}{
		{"/images/{name}/json", "name", "registry:5000/team/app:1.0", "/v1.41/images/registry:5000/team/app:1.0/json"},
		{"/containers/{id}/json", "id", "a b", "/v1.41/containers/a%20b/json"},
		{"/plugins/{name}/enable", "name", "vieux/sshfs:latest", "/v1.41/plugins/vieux/sshfs:latest/enable"},
		{"/volumes/{name}", "name", "v?x#y", "/v1.41/volumes/v%3Fx%23y"},
	}
	for _, c := range cases {
		r := NewRequest("Op", "1.41", "GET", c.tmpl)
		r.PathParam(c.name, c.value)
		got, err := r.URLPath()
		if err != nil || got != c.want {
			t.Errorf("%s with %q = %q, %v; want %q", c.tmpl, c.value, got, err, c.want)
		}
	}
}

func TestRequestRejectsMissingValues(t *testing.T) {
	r := NewRequest("ContainerInspect", "1.41", "GET", "/containers/{id}/json")
	r.PathParam("id", "")
	if e := r.Err(); e == nil || e.Param != "id" {
		t.Fatalf("empty path parameter: Err() = %v", e)
	}
	r = NewRequest("ContainerRename", "1.41", "POST", "/containers/{id}/rename")
	r.PathParam("id", "x")
	r.QueryRequired("name", "")
	if e := r.Err(); e == nil || e.Param != "name" {
		t.Fatalf("missing required query: Err() = %v", e)
	}
	r = NewRequest("ImageSearch", "1.41", "GET", "/images/search")
	r.QueryJSONRequired("filters", docker.Filters{})
	if e := r.Err(); e == nil || e.Param != "filters" || e.Msg != "is required" {
		t.Fatalf("missing required JSON parameter: Err() = %v", e)
	}
}

func TestRegistryAuthIsBase64URL(t *testing.T) {
	// This password's JSON encodes, in standard base64, to text holding
	// '+' and '/', which the daemon's URL-safe decoder rejects.
	auth := &docker.AuthConfig{Username: "u", Password: "??>>??>>~~", ServerAddress: "127.0.0.1:5000"}
	r := NewRequest("ImagePush", "1.41", "POST", "/images/{name}/push")
	RegistryAuth(r, auth, false)
	var h string
	for _, kv := range r.Headers() {
		if kv[0] == "X-Registry-Auth" {
			h = kv[1]
		}
	}
	if strings.ContainsAny(h, "+/") {
		t.Fatalf("header %q uses the standard alphabet", h)
	}
	raw, err := base64.URLEncoding.DecodeString(h)
	if err != nil {
		t.Fatalf("header is not base64url: %v", err)
	}
	var back docker.AuthConfig
	if err := json.Unmarshal(raw, &back); err != nil || back != *auth {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	std := base64.StdEncoding.EncodeToString(raw)
	if !strings.ContainsAny(std, "+/") {
		t.Fatalf("test credential does not exercise the alphabet difference: %s", std)
	}
}
