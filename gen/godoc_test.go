package gen

import "testing"

func TestGoDoc(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Plain text.", "Plain text."},
		{"See [the docs](https://docs.docker.com/network/) and [`POST /containers/create`](#operation/ContainerCreate).",
			"See the docs (https://docs.docker.com/network/) and `POST /containers/create`."},
		{"Example:\n```go\nheader := [8]byte{}\n```\nThen more.", "Example:\n\n\theader := [8]byte{}\n\nThen more."},
		{"Can be one of:\n- `0`: Modified\n- `1`: Added\n  and more\n\nEnd.", "Can be one of:\n\n  - `0`: Modified\n  - `1`: Added\n    and more\n\nEnd."},
		{"### Stream format\nText", "# Stream format\n\nText"},
		{"A<p><br /></p>\n\n**Bold** word", "A\n\nBold word"},
		{"| a | b |\n| - | - |\nafter", "\t| a | b |\n\t| - | - |\n\nafter"},
	} {
		if got := goDoc(c.in); got != c.want {
			t.Errorf("goDoc(%q) =\n%q\nwant\n%q", c.in, got, c.want)
		}
	}
}
