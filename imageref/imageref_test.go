package imageref

import (
	"errors"
	"strings"
	"testing"
)

const (
	hex64  = "7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"
	digest = "sha256:" + hex64
)

func TestParse(t *testing.T) {
	sha512 := "sha512:" + strings.Repeat("ab", 64)
	// Each case: input, the Reference, then String, Normalized and Familiar.
	cases := []struct {
		in                        string
		want                      Reference
		str, normalized, familiar string
	}{
		{"busybox", Reference{"docker.io", "library/busybox", "", ""},
			"docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox"},
		{"busybox:latest", Reference{"docker.io", "library/busybox", "latest", ""},
			"docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"},
		{"docker.io/library/busybox", Reference{"docker.io", "library/busybox", "", ""},
			"docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox"},
		{"docker.io/busybox:1.36", Reference{"docker.io", "library/busybox", "1.36", ""},
			"docker.io/library/busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
		{"index.docker.io/library/busybox:latest", Reference{"docker.io", "library/busybox", "latest", ""},
			"docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"},
		{"index.docker.io/user/app", Reference{"docker.io", "user/app", "", ""},
			"docker.io/user/app", "docker.io/user/app:latest", "user/app"},
		{"user/app", Reference{"docker.io", "user/app", "", ""},
			"docker.io/user/app", "docker.io/user/app:latest", "user/app"},
		// Nested paths under library/ are not official images: the prefix stays.
		{"library/team/app", Reference{"docker.io", "library/team/app", "", ""},
			"docker.io/library/team/app", "docker.io/library/team/app:latest", "library/team/app"},
		{"registry.example.com:5000/team/app:v1.2", Reference{"registry.example.com:5000", "team/app", "v1.2", ""},
			"registry.example.com:5000/team/app:v1.2", "registry.example.com:5000/team/app:v1.2", "registry.example.com:5000/team/app:v1.2"},
		// A registry's name of one element is not an official image.
		{"quay.io/busybox", Reference{"quay.io", "busybox", "", ""},
			"quay.io/busybox", "quay.io/busybox:latest", "quay.io/busybox"},
		{"localhost:5000/app", Reference{"localhost:5000", "app", "", ""},
			"localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app"},
		{"localhost/app:dev", Reference{"localhost", "app", "dev", ""},
			"localhost/app:dev", "localhost/app:dev", "localhost/app:dev"},
		// A bare "localhost:5000" is the image "localhost" tagged 5000, as for Docker.
		{"localhost:5000", Reference{"docker.io", "library/localhost", "5000", ""},
			"docker.io/library/localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"},
		{"[::1]:5000/app:1", Reference{"[::1]:5000", "app", "1", ""},
			"[::1]:5000/app:1", "[::1]:5000/app:1", "[::1]:5000/app:1"},
		{"[2001:db8::1]/team/app", Reference{"[2001:db8::1]", "team/app", "", ""},
			"[2001:db8::1]/team/app", "[2001:db8::1]/team/app:latest", "[2001:db8::1]/team/app"},
		{"192.168.1.10:5000/app", Reference{"192.168.1.10:5000", "app", "", ""},
			"192.168.1.10:5000/app", "192.168.1.10:5000/app:latest", "192.168.1.10:5000/app"},
		// An uppercase first element can only be a registry.
		{"Registry/app", Reference{"Registry", "app", "", ""},
			"Registry/app", "Registry/app:latest", "Registry/app"},
		{"busybox@" + digest, Reference{"docker.io", "library/busybox", "", digest},
			"docker.io/library/busybox@" + digest, "docker.io/library/busybox@" + digest, "busybox@" + digest},
		{"busybox:1.36@" + digest, Reference{"docker.io", "library/busybox", "1.36", digest},
			"docker.io/library/busybox:1.36@" + digest, "docker.io/library/busybox:1.36@" + digest, "busybox:1.36@" + digest},
		{"localhost:5000/app@" + sha512, Reference{"localhost:5000", "app", "", sha512},
			"localhost:5000/app@" + sha512, "localhost:5000/app@" + sha512, "localhost:5000/app@" + sha512},
		{"a0-b--c__d_e/f.g:A_b.c-D", Reference{"docker.io", "a0-b--c__d_e/f.g", "A_b.c-D", ""},
			"docker.io/a0-b--c__d_e/f.g:A_b.c-D", "docker.io/a0-b--c__d_e/f.g:A_b.c-D", "a0-b--c__d_e/f.g:A_b.c-D"},
		// A one-element name with a dot is still a Docker Hub name, as for Docker.
		{"example.com", Reference{"docker.io", "library/example.com", "", ""},
			"docker.io/library/example.com", "docker.io/library/example.com:latest", "example.com"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			r, err := Parse(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if r != c.want {
				t.Fatalf("Parse = %#v, want %#v", r, c.want)
			}
			for _, g := range []struct{ method, got, want string }{
				{"String", r.String(), c.str},
				{"Normalized", r.Normalized(), c.normalized},
				{"Familiar", r.Familiar(), c.familiar},
				{"Name", r.Name(), c.want.Domain + "/" + c.want.Path},
			} {
				if g.got != g.want {
					t.Errorf("%s() = %q, want %q", g.method, g.got, g.want)
				}
			}
			// Every form parses back to the same image, and String and Familiar to the same Reference.
			for _, form := range []string{c.str, c.normalized, c.familiar} {
				back, err := Parse(form)
				if err != nil {
					t.Fatalf("Parse(%q): %v", form, err)
				}
				if !back.Same(r) {
					t.Errorf("Parse(%q) = %#v, not the same image as %#v", form, back, r)
				}
				if form != c.normalized && back != r {
					t.Errorf("Parse(%q) = %#v, want %#v", form, back, r)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("a", NameMaxLength-len("docker.io/library/")+1)
	cases := []struct {
		in   string
		want error
		msg  string // a part of the message
	}{
		{"", ErrEmpty, `imageref: "": empty reference`},
		{hex64, ErrID, "64-byte hexadecimal"},
		{"Busybox", ErrUppercase, `imageref: "Busybox": repository name must be lowercase`},
		{"busybox/App", ErrUppercase, "lowercase"},
		{"registry.example.com/Team/app", ErrUppercase, "lowercase"},
		{long, ErrNameTooLong, "255"},
		{strings.Repeat("a", NameMaxLength-len("docker.io/library/")), nil, ""},
		{"quay.io/" + strings.Repeat("a", NameMaxLength-len("quay.io/")+1), ErrNameTooLong, "256"},
		{"busybox:", ErrInvalidTag, "empty"},
		{"busybox:.tag", ErrInvalidTag, `".tag"`},
		{"busybox:-tag", ErrInvalidTag, "start"},
		{"busybox:ta+g", ErrInvalidTag, `"ta+g"`},
		{"busybox:" + strings.Repeat("t", 129), ErrInvalidTag, "129"},
		{"busybox:" + strings.Repeat("t", 128), nil, ""},
		{"busybox@", ErrInvalidDigest, "algorithm:hex"},
		{"busybox@sha256", ErrInvalidDigest, "algorithm:hex"},
		{"busybox@sha256:abc", ErrInvalidDigest, "64"},
		{"busybox@sha256:" + strings.ToUpper(hex64), ErrInvalidDigest, "lowercase"},
		{"busybox@md5:" + hex64[:32], ErrUnsupportedDigest, `"md5"`},
		{"busybox@" + digest + "@" + digest, ErrInvalidDigest, ""},
		{"busybox/", ErrInvalidName, "empty path component"},
		{"/busybox", ErrInvalidName, "empty path component"},
		{"team//app", ErrInvalidName, "empty path component"},
		{"busybox-", ErrInvalidName, `"busybox-"`},
		{"busybox.", ErrInvalidName, `"busybox."`},
		{"-busybox", ErrInvalidName, `"-busybox"`},
		{"a..b", ErrInvalidName, `"a..b"`},
		{"a___b", ErrInvalidName, `"a___b"`},
		{"a._b", ErrInvalidName, `"a._b"`},
		{"bu sybox", ErrInvalidName, ""},
		{":tag", ErrInvalidName, "no name"},
		{"@" + digest, ErrInvalidName, "no name"},
		{"registry.example.com:/app", ErrInvalidDomain, "port"},
		{"registry.example.com:50a/app", ErrInvalidDomain, "port"},
		{"-registry.example.com/app", ErrInvalidDomain, `"-registry"`},
		{"registry..example.com/app", ErrInvalidDomain, `""`},
		{"[::1/app", ErrInvalidDomain, "bracket"},
		{"[::g]:5000/app", ErrInvalidDomain, "IPv6"},
		{"[]:5000/app", ErrInvalidDomain, "IPv6"},
		{"[]/app", ErrInvalidName, `"[]"`},
		{"[::1]x/app", ErrInvalidDomain, "port"},
		{"::1/app", ErrInvalidDomain, ""},
		{"localhost:5000/", ErrInvalidName, "empty path component"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := Parse(c.in)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Parse error = %v, want %v", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != c.in {
				t.Errorf("error %#v does not name the input %q", err, c.in)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not say %q", err, c.msg)
			}
		})
	}
}

func TestSame(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"busybox", "docker.io/library/busybox:latest", true},
		{"busybox:latest", "busybox", true},
		{"busybox", "index.docker.io/library/busybox", true},
		{"busybox", "docker.io/busybox", true},
		{"user/app", "docker.io/user/app:latest", true},
		{"busybox:1.36", "busybox", false},
		{"busybox", "library/busybox", true},
		{"busybox", "quay.io/busybox", false},
		{"localhost:5000/app", "localhost/app", false},
		{"busybox@" + digest, "busybox:1.36@" + digest, true},
		{"busybox@" + digest, "busybox:latest", false},
		{"busybox@" + digest, "quay.io/busybox@" + digest, false},
		{"busybox:1@" + digest, "busybox:1@sha256:" + strings.Repeat("0", 64), false},
	}
	for _, c := range cases {
		for _, pair := range [][2]string{{c.a, c.b}, {c.b, c.a}} {
			got, err := Same(pair[0], pair[1])
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Same(%q, %q) = %v, want %v", pair[0], pair[1], got, c.want)
			}
		}
	}
	if _, err := Same("busybox", "Busybox"); !errors.Is(err, ErrUppercase) {
		t.Errorf("Same with an invalid reference: err = %v, want ErrUppercase", err)
	}
	if _, err := Same("", "busybox"); !errors.Is(err, ErrEmpty) {
		t.Errorf("Same with an empty reference: err = %v, want ErrEmpty", err)
	}
}

// TestFamiliarAmbiguity pins the one case where, as in Docker, the short
// form does not parse back: a Docker Hub namespace that looks like a host.
func TestFamiliarAmbiguity(t *testing.T) {
	r, err := Parse("docker.io/example.com/app")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Familiar(); got != "example.com/app" {
		t.Fatalf("Familiar() = %q", got)
	}
	back, err := Parse(r.Familiar())
	if err != nil {
		t.Fatal(err)
	}
	if back.Domain != "example.com" {
		t.Errorf("Parse(%q).Domain = %q: the ambiguity is gone; update Familiar's doc", r.Familiar(), back.Domain)
	}
	if again, _ := Parse(r.String()); again != r {
		t.Errorf("Parse(String()) = %#v, want %#v", again, r)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"busybox", "busybox:latest", "docker.io/library/busybox", "index.docker.io/user/app:1",
		"localhost:5000/app@" + digest, "[::1]:5000/a/b:c", "Registry/app", "a-b__c.d/e",
		"busybox:1@sha512:" + strings.Repeat("ab", 64), "localhost:5000", hex64, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != s {
				t.Fatalf("Parse(%q) error %v does not name the input", s, err)
			}
			return
		}
		back, err := Parse(r.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %#v, but Parse(String() = %q): %v", s, r, r.String(), err)
		}
		if back != r {
			t.Fatalf("Parse(%q) = %#v, Parse(%q) = %#v", s, r, r.String(), back)
		}
		norm, err := Parse(r.Normalized())
		if err != nil || !norm.Same(r) {
			t.Fatalf("Parse(Normalized() = %q) = %#v, %v: not the same image as %#v", r.Normalized(), norm, err, r)
		}
		if fam, err := Parse(r.Familiar()); err != nil {
			t.Fatalf("Parse(Familiar() = %q): %v", r.Familiar(), err)
		} else if fam != r && !(r.Domain == DefaultDomain && fam.Domain != DefaultDomain) {
			t.Fatalf("Parse(Familiar() = %q) = %#v, want %#v", r.Familiar(), fam, r)
		}
	})
}
