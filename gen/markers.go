package gen

import (
	"fmt"
	"regexp"
)

// Hand-written docs quote the SDK's version range between markers, which the
// generator fills: <!--gen:max-->1.57<!--/gen--> renders as 1.57 and moves
// with the specs, so a new version needs no hand edit of the README.
var markerRE = regexp.MustCompile(`<!--gen:([a-z]+)-->([^<]*)<!--/gen-->`)

// MarkedDocs are the hand-written files, relative to the repository root,
// whose markers the generator fills.
var MarkedDocs = []string{"README.md", "docs/guide.md"}

// FillMarkers rewrites every marker of src with the model's values: min and
// max ("1.25", "1.57"), minpkg and maxpkg ("v125", "v157"). An unknown
// marker name is an error naming it.
func (m *Model) FillMarkers(name string, src []byte) ([]byte, error) {
	first, last := m.Pkgs[0].Version, m.Pkgs[len(m.Pkgs)-1].Version
	values := map[string]string{
		"min": first.Name, "max": last.Name, "minpkg": first.Pkg(), "maxpkg": last.Pkg(),
	}
	var bad error
	out := markerRE.ReplaceAllFunc(src, func(mk []byte) []byte {
		key := string(markerRE.FindSubmatch(mk)[1])
		v, ok := values[key]
		if !ok {
			if bad == nil {
				bad = fmt.Errorf("gen: %s: unknown marker <!--gen:%s--> (known: min, max, minpkg, maxpkg)", name, key)
			}
			return mk
		}
		return []byte("<!--gen:" + key + "-->" + v + "<!--/gen-->")
	})
	return out, bad
}
