package gen

import "testing"

// TestEveryShape: a Setter without its entry in shapes would render
// nothing; the table's size is the number of Setters, so a missing entry
// is a nil code.
func TestEveryShape(t *testing.T) {
	for s := Setter(0); s < numSetters; s++ {
		if shapes[s].code == nil {
			t.Errorf("Setter %d has no entry in shapes", s)
		}
	}
}

func TestDyn(t *testing.T) {
	for _, c := range []struct {
		p    Param
		want DynKind
	}{
		{Param{Setter: SetQueryNumber, GoType: pointerTo(builtinType("int64"))}, DynInt},
		{Param{Setter: SetQueryNumber, GoType: pointerTo(builtinType("float64"))}, DynNumber},
		{Param{Setter: SetQueryNumberRequired, GoType: builtinType("float64")}, DynNumber},
		{Param{Setter: SetAuthConfigs, GoType: mapOf(dockerType("AuthConfig"))}, DynJSON},
		{Param{Setter: SetBodyOptional, GoType: pointerTo(localType("X"))}, DynBody},
	} {
		if got := c.p.Dyn(); got != c.want {
			t.Errorf("setter %d of %s: Dyn %s, want %s", c.p.Setter, c.p.GoType, got.constName(), c.want.constName())
		}
	}
}
