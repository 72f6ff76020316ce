package gen

import (
	"strings"
	"testing"
)

func TestFillMarkers(t *testing.T) {
	m := &Model{Pkgs: []*Package{
		{Version: SpecVersion{Name: "1.25", Minor: 25}},
		{Version: SpecVersion{Name: "1.57", Minor: 57}},
	}}
	src := "from **v<!--gen:min-->1.25<!--/gen--> to v<!--gen:max-->1.56<!--/gen-->**, `<!--gen:maxpkg-->v156<!--/gen-->`"
	got, err := m.FillMarkers("README.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := "from **v<!--gen:min-->1.25<!--/gen--> to v<!--gen:max-->1.57<!--/gen-->**, `<!--gen:maxpkg-->v157<!--/gen-->`"
	if string(got) != want {
		t.Errorf("FillMarkers:\n got %s\nwant %s", got, want)
	}
	if _, err := m.FillMarkers("README.md", []byte("<!--gen:newest-->1.56<!--/gen-->")); err == nil ||
		!strings.Contains(err.Error(), "README.md") || !strings.Contains(err.Error(), "gen:newest") {
		t.Errorf("an unknown marker: %v, want an error naming the file and the marker", err)
	}
}
