package gen

import (
	"slices"
	"testing"
)

// TestGoTypeRoundTrip: what ParseGoType reads, String writes back, and the
// value says what it is without its spelling being looked at.
func TestGoTypeRoundTrip(t *testing.T) {
	for _, c := range []struct {
		spelling string
		want     GoType
		pkgs     []string
		local    []string
	}{
		{"string", typeString, nil, nil},
		{"struct{}", builtinType("struct{}"), nil, nil},
		{"ContainerSummary", localType("ContainerSummary"), nil, []string{"ContainerSummary"}},
		{"*docker.AuthConfig", pointerTo(dockerType("AuthConfig")), []string{"docker"}, nil},
		{"[]docker.Platform", sliceOf(dockerType("Platform")), []string{"docker"}, nil},
		{"map[string]docker.AuthConfig", mapOf(dockerType("AuthConfig")), []string{"docker"}, nil},
		{"map[string][]*Mount", mapOf(sliceOf(pointerTo(localType("Mount")))), nil, []string{"Mount"}},
		{"io.Reader", pkgType("io", "Reader"), []string{"io"}, nil},
		{"*docker.JSONStream[SystemEventsResponse]", pointerTo(GoType{Kind: GoNamed, Pkg: "docker", Name: "JSONStream",
			Elem: &GoType{Kind: GoNamed, Name: "SystemEventsResponse"}}), []string{"docker"}, []string{"SystemEventsResponse"}},
	} {
		got, err := ParseGoType(c.spelling)
		if err != nil {
			t.Errorf("ParseGoType(%q): %v", c.spelling, err)
			continue
		}
		if got.String() != c.spelling || c.want.String() != c.spelling || !got.Equal(c.want) {
			t.Errorf("ParseGoType(%q) = %q; built: %q", c.spelling, got, c.want)
		}
		if g := got.Packages(); !slices.Equal(g, c.pkgs) {
			t.Errorf("%s: Packages() = %q, want %q", c.spelling, g, c.pkgs)
		}
		if g := got.localNames(); !slices.Equal(g, c.local) {
			t.Errorf("%s: localNames() = %q, want %q", c.spelling, g, c.local)
		}
	}
	for _, bad := range []string{"", "map[int]string", "docker.", "a.b.C", "docker.JSONStream[X", "[]", "*1x", "yaml.Node"} {
		if got, err := ParseGoType(bad); err == nil {
			t.Errorf("ParseGoType(%q) = %q, want an error", bad, got)
		}
	}
}

func TestGoTypeQuestions(t *testing.T) {
	body := pointerTo(localType("ContainerCreateRequest"))
	if !body.IsPointer() || body.Deref().String() != "ContainerCreateRequest" || !body.Deref().IsLocal() {
		t.Errorf("%s: IsPointer %t, Deref %s", body, body.IsPointer(), body.Deref())
	}
	if got := sliceOf(body).Qualified("v141"); got != "[]*v141.ContainerCreateRequest" {
		t.Errorf("Qualified: %s", got)
	}
	if got := mapOf(dockerType("AuthConfig")).Qualified("v141"); got != "map[string]docker.AuthConfig" {
		t.Errorf("Qualified changed another package's type: %s", got)
	}
	if !builtinType("uint16").IsNumber() || !builtinType("float32").IsNumber() || typeString.IsNumber() || localType("int64").IsNumber() {
		t.Error("IsNumber is wrong")
	}
	if (GoType{}).String() != "" || !(GoType{}).IsZero() {
		t.Error("the zero GoType is not no type")
	}
}
