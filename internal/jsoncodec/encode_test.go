package jsoncodec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// Types for the differential tests. Their names appear in error messages,
// which are compared with encoding/json's too.

type valM struct{ N int }

func (m valM) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(` { "valM" : %d } `, m.N)), nil
}

type ptrM struct{ N int }

func (m *ptrM) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf(`"ptrM %d"`, m.N)), nil }

type valT struct{ S string }

func (t valT) MarshalText() ([]byte, error) { return []byte("<" + t.S + ">"), nil }

type ptrT struct{ S string }

func (t *ptrT) MarshalText() ([]byte, error) { return []byte("ptrT " + t.S), nil }

// ptrJSONvalText has MarshalJSON on *T and MarshalText on T: which one
// applies depends on addressability.
type ptrJSONvalText struct{ N int }

func (*ptrJSONvalText) MarshalJSON() ([]byte, error) { return []byte(`"json"`), nil }
func (ptrJSONvalText) MarshalText() ([]byte, error)  { return []byte("text"), nil }

type rawM string

func (r rawM) MarshalJSON() ([]byte, error) { return []byte(r), nil }

type errM struct{}

func (errM) MarshalJSON() ([]byte, error) { return nil, errors.New("no <json> today") }

type errT struct{}

func (errT) MarshalText() ([]byte, error) { return nil, errors.New("no text") }

// ptrValM has MarshalJSON on the value, so *ptrValM has it too.
type ptrValM int

func (p ptrValM) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprint(int(p) * 10)), nil }

type textKey struct{ A, B int }

func (k textKey) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("%d-%d", k.A, k.B)), nil }

type intTextKey int

func (k intTextKey) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("k%03d", int(k))), nil }

type ptrTextKey struct{ S string }

func (k *ptrTextKey) MarshalText() ([]byte, error) { return []byte("p:" + k.S), nil }

type errTextKey int

func (errTextKey) MarshalText() ([]byte, error) { return nil, errors.New("bad key") }

type myString string
type myInt int16
type myFloat float32
type myBytes []byte
type myByte uint8
type bytesM byte

func (b bytesM) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf(`"b%d"`, b)), nil }

type bytesPtrT byte

func (b *bytesPtrT) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("t%d", *b)), nil }

type zeroVal struct{ N int }

func (z zeroVal) IsZero() bool { return z.N < 0 }

type zeroPtr struct{ N int }

func (z *zeroPtr) IsZero() bool { return z.N == 42 }

type Base struct {
	ID   string
	Name string `json:"name"`
	Dup  int
}

type Other struct {
	Dup   int // conflicts with Base.Dup at the same depth: both dropped
	Extra string
	Name  string // loses to Base's tagged "name"? no: different name "Name"
}

type Tagged struct {
	Dup int `json:"Dup"` // tagged: wins over untagged Dup at the same depth
}

type Deep struct{ Base }

type unexportedEmbed struct {
	Visible string
	hidden  string
}

type ptrEmbed struct{ P string }

type Named int

type Embeds struct {
	Base
	Other
	*ptrEmbed
	unexportedEmbed
	Named
	Own string
}

type EmbedTagged struct {
	Base
	Tagged
	Deep `json:"deep"`
}

type Shadow struct {
	Deep        // Deep.Base.ID at depth 2
	ID   string // depth 1 wins
}

type IfaceEmbed struct {
	fmt.Stringer
	X int
}

type Omits struct {
	B    bool            `json:",omitempty"`
	I    int             `json:",omitempty"`
	I8   int8            `json:",omitempty"`
	U    uint            `json:",omitempty"`
	Up   uintptr         `json:",omitempty"`
	F    float64         `json:",omitempty"`
	F32  float32         `json:",omitempty"`
	S    string          `json:",omitempty"`
	P    *int            `json:",omitempty"`
	If   any             `json:",omitempty"`
	Sl   []int           `json:",omitempty"`
	M    map[string]int  `json:",omitempty"`
	A    [0]int          `json:",omitempty"`
	A2   [2]int          `json:",omitempty"`
	St   struct{}        `json:",omitempty"`
	T    time.Time       `json:",omitempty"`
	Ch   *chan int       `json:",omitempty"`
	Fn   func()          `json:"-"`
	Raw  json.RawMessage `json:",omitempty"`
	Num  json.Number     `json:",omitempty"`
	last int
}

type OmitZeros struct {
	B   bool           `json:",omitzero"`
	I   int            `json:",omitzero"`
	S   string         `json:",omitzero"`
	P   *int           `json:",omitzero"`
	Sl  []int          `json:",omitzero"`
	M   map[string]int `json:",omitzero"`
	A   [2]int         `json:",omitzero"`
	St  Base           `json:",omitzero"`
	T   time.Time      `json:",omitzero"`
	Tp  *time.Time     `json:",omitzero"`
	ZV  zeroVal        `json:",omitzero"`
	ZVp *zeroVal       `json:",omitzero"`
	ZP  zeroPtr        `json:",omitzero"`
	ZI  interface {
		IsZero() bool
	} `json:",omitzero"`
	Both string `json:",omitempty,omitzero"`
}

type Quoted struct {
	B   bool        `json:",string"`
	I   int         `json:",string"`
	I64 int64       `json:",string"`
	U8  uint8       `json:",string"`
	F   float64     `json:",string"`
	F32 float32     `json:",string"`
	S   string      `json:",string"`
	MS  myString    `json:",string"`
	P   *int        `json:",string"`
	PS  *string     `json:",string"`
	Pn  *int        `json:",string"`
	N   json.Number `json:",string"`
	Sl  []int       `json:",string"` // not a quotable kind: ignored
	M   valM        `json:",string"` // marshalers ignore it
	T   valT        `json:",string"`
	If  any         `json:",string"`
}

type Tags struct {
	A      int `json:"a"`
	Dash   int `json:"-,"`
	Skip   int `json:"-"`
	Punct  int `json:"!#$%&()*+-./:;<=>?@[]^_{|}~ "`
	Bad    int `json:"a\"b"`
	Uni    int `json:"héllo"`
	Empty  int `json:",omitempty"`
	Spaces int `json:"with space"`
	Comma  int `json:"x,unknownopt"`
}

type Methods struct {
	VM   valM
	PM   ptrM
	PMp  *ptrM
	VT   valT
	PT   ptrT
	PTp  *ptrT
	Mix  ptrJSONvalText
	PVM  *ptrValM
	Arr  [2]ptrM
	Sl   []ptrM
	Map  map[string]ptrM
	MapP map[string]*ptrM
	If   any
	JM   json.Marshaler
	TM   interface{ MarshalText() ([]byte, error) }
}

type Node struct {
	V    int
	Next *Node
}

type Kinds struct {
	Ch  chan int
	Fn  func()
	C64 complex64
}

type everything struct {
	Embeds
	Q      Quoted
	O      Omits
	Z      OmitZeros
	M      Methods
	Nested map[string][]map[int]*Base
	Times  []time.Time
	Durs   map[textKey]time.Duration
}

func ptr[T any](v T) *T { return &v }

// marshalCases are values for which Marshal must equal encoding/json.Marshal
// byte for byte, or fail with the same message.
func marshalCases() map[string]any {
	n := 7
	t0 := time.Date(2024, 2, 29, 13, 4, 5, 123456789, time.FixedZone("x", 5*3600+1800))
	cycle := &Node{V: 1}
	cycle.Next = &Node{V: 2, Next: cycle}
	mcycle := map[string]any{}
	mcycle["m"] = mcycle
	scycle := []any{nil}
	scycle[0] = scycle
	deep := &Node{}
	for i := 0; i < 5000; i++ {
		deep = &Node{V: i, Next: deep}
	}
	controls := make([]byte, 0, 0x80)
	for b := 0; b < 0x80; b++ {
		controls = append(controls, byte(b))
	}
	methods := Methods{
		VM: valM{1}, PM: ptrM{2}, PMp: &ptrM{3}, VT: valT{"a&b"}, PT: ptrT{"pt"}, PTp: &ptrT{"ptp"},
		Mix: ptrJSONvalText{1}, PVM: ptr(ptrValM(4)),
		Arr: [2]ptrM{{5}, {6}}, Sl: []ptrM{{7}}, Map: map[string]ptrM{"k": {8}}, MapP: map[string]*ptrM{"k": {9}, "nil": nil},
		If: ptrM{10}, JM: valM{11}, TM: valT{"tm"},
	}
	return map[string]any{
		"nil":          nil,
		"true":         true,
		"false":        false,
		"int":          -42,
		"int8":         int8(-128),
		"int16":        int16(math.MinInt16),
		"int32":        int32(math.MaxInt32),
		"maxint64":     int64(math.MaxInt64),
		"minint64":     int64(math.MinInt64),
		"uint":         uint(7),
		"uint8":        uint8(255),
		"maxuint64":    uint64(math.MaxUint64),
		"uintptr":      uintptr(0xdead),
		"named int":    myInt(-3),
		"named string": myString("<ns>"),
		"named float":  myFloat(1.1),

		"floats": []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 1e20, 1e21, 1e-6, 1e-7, 1.2345e-7, 123456789.125,
			1e100, -1e-100, math.MaxFloat64, math.SmallestNonzeroFloat64, 5e-324, 1e+21 - 65536, 9.999999999999999e20,
			0.000001, 0.0000009999, 3.0000000000000004, 100, 1e6, 12345678901234567890},
		"float32s": []float32{0, float32(math.Copysign(0, -1)), 3.4e38, math.MaxFloat32, math.SmallestNonzeroFloat32,
			1e20, 1e21, 9.999999e20, 1e-6, 1e-7, 0.1, 1.1, 16777217, 1e-45, 0.3},
		"nan":          math.NaN(),
		"+inf":         math.Inf(1),
		"-inf32":       float32(math.Inf(-1)),
		"nan in slice": []any{1, math.NaN()},

		"string":            "hello",
		"empty string":      "",
		"html":              "<script>a && b</script>",
		"line separators":   "a\u2028b\u2029c\u202a",
		"controls":          string(controls),
		"invalid utf8":      "a\xffb\xc0\xaf c\xed\xa0\x80 d\xf4\x90\x80\x80 e\xe2\x80",
		"truncated rune":    "\xe2\x80",
		"unicode":           "héllo wörld ☃ 𝄞 \U0010FFFF \uFFFD \u00a0",
		"quotes":            `he said "hi" \ bye /`,
		"del":               "\x7f",
		"string bytes":      []byte("hello"),
		"nil bytes":         []byte(nil),
		"empty bytes":       []byte{},
		"binary bytes":      []byte{0, 0xff, 0xfe, 1, 2},
		"named bytes":       myBytes("abc"),
		"named elem bytes":  []myByte{1, 2, 3},
		"marshaler bytes":   []bytesM{1, 2},
		"ptr text bytes":    []bytesPtrT{1, 2},
		"byte array":        [4]byte{1, 2, 3, 4},
		"bytes in iface":    []any{[]byte("x"), [2]byte{}},
		"nil slice":         []int(nil),
		"empty slice":       []int{},
		"nil map":           map[string]int(nil),
		"empty map":         map[string]int{},
		"nil chan slice":    []chan int(nil),
		"empty chan slice":  []chan int{},
		"array":             [3]string{"a", "b"},
		"empty array":       [0]int{},
		"nested slices":     [][]int{{1}, nil, {}},
		"map string keys":   map[string]int{"b": 1, "a": 2, "": 3, "<&>": 4, "B": 5, "aa": 6, "\u2028": 7, "\xff": 8},
		"map int keys":      map[int]string{10: "a", 9: "b", -1: "c", 0: "d", 100: "e", math.MinInt: "min"},
		"map uint keys":     map[uint8]bool{255: true, 0: false, 16: true},
		"map named keys":    map[myString]int{"z": 1, "y": 2},
		"map text keys":     map[textKey]int{{1, 2}: 1, {0, 10}: 2},
		"map int text keys": map[intTextKey]int{5: 1, 100: 2, 1: 3},
		"map ptr text keys": map[*ptrTextKey]int{{"a"}: 1, nil: 2},
		"map err text keys": map[errTextKey]int{1: 1},
		"map float keys":    map[float64]int{1: 1},
		"nil bad map":       map[[2]int]int(nil),
		"map ptr-only text": map[ptrTextKey]int{},
		"map of any":        map[string]any{"a": []any{1, "x", nil, map[string]any{"z": true}}, "b": 1.5},
		"map chan value":    map[string]chan int{"a": nil},
		"empty chan map":    map[string]chan int{},
		"same-type nesting": map[string]any{"b": map[string]any{"y": 1, "x": map[string]any{"q": []any{map[string]any{"z": 0, "a": nil}}}}, "a": map[string]any{"k": "v"}, "c": 2},
		"nested maps":       map[string]map[string]map[int]string{"x": {"b": {2: "2", 1: "1"}, "a": nil}, "a": {}},

		"nil pointer":   (*int)(nil),
		"pointer":       &n,
		"ptr ptr":       ptr(&n),
		"nil ptr ptr":   ptr((*int)(nil)),
		"any nil":       []any{nil, (*int)(nil), any(nil)},
		"iface struct":  any(Base{ID: "x"}),
		"slice of any":  []any{1, "a", true, nil, 2.5, []int{1}, map[string]int{"a": 1}},
		"struct":        Base{ID: "i", Name: "n", Dup: 3},
		"struct ptr":    &Base{ID: "i"},
		"empty struct":  struct{}{},
		"anon struct":   struct{ A, b int }{1, 2},
		"unexported":    unexportedEmbed{"v", "h"},
		"embeds":        Embeds{Base: Base{"id", "name", 1}, Other: Other{2, "extra", "oname"}, ptrEmbed: &ptrEmbed{"p"}, unexportedEmbed: unexportedEmbed{"vis", "hid"}, Named: 5, Own: "own"},
		"embeds nilptr": Embeds{Own: "own"},
		"embed tagged":  EmbedTagged{Base: Base{Dup: 1}, Tagged: Tagged{Dup: 2}, Deep: Deep{Base{ID: "deep"}}},
		"shadow":        Shadow{Deep: Deep{Base{ID: "inner", Name: "n"}}, ID: "outer"},
		"iface embed":   IfaceEmbed{X: 1},
		"iface embed2":  IfaceEmbed{Stringer: time.Second, X: 1},

		"omitempty zero": Omits{},
		"omitempty set": Omits{B: true, I: 1, I8: -1, U: 1, Up: 1, F: 0.5, F32: 1, S: "s", P: new(int), If: 0, Sl: []int{0},
			M: map[string]int{"": 0}, A2: [2]int{}, T: t0, Ch: new(chan int), Raw: json.RawMessage(`[ 1 ]`), Num: "1"},
		"omitempty empty non-nil": Omits{Sl: []int{}, M: map[string]int{}, Raw: json.RawMessage{}},
		"omitzero zero":           OmitZeros{},
		"omitzero set": OmitZeros{B: true, I: 1, S: "s", P: new(int), Sl: []int{}, M: map[string]int{}, A: [2]int{0, 1},
			St: Base{Dup: 1}, T: t0, Tp: &time.Time{}, ZV: zeroVal{0}, ZVp: &zeroVal{-1}, ZP: zeroPtr{1}, ZI: zeroVal{-1}, Both: "b"},
		"omitzero methods":    OmitZeros{ZV: zeroVal{-5}, ZVp: &zeroVal{3}, ZP: zeroPtr{42}, ZI: (*zeroVal)(nil)},
		"omitzero addr":       &OmitZeros{ZP: zeroPtr{42}},
		"omitzero in slice":   []OmitZeros{{ZP: zeroPtr{42}}, {ZP: zeroPtr{41}}},
		"omitzero in map":     map[string]OmitZeros{"a": {ZP: zeroPtr{42}}},
		"omitzero iface time": OmitZeros{ZI: time.Time{}},

		"quoted": Quoted{B: true, I: -1, I64: math.MinInt64, U8: 8, F: 1e21, F32: 0.1, S: `a "q" <b>` + "\u2028\n", MS: "ms",
			P: &n, PS: ptr("ps\""), N: "12.5", Sl: []int{1}, M: valM{1}, T: valT{"t"}, If: 3},
		"quoted zero": Quoted{},
		"quoted nan":  Quoted{F: math.NaN()},
		"tags":        Tags{1, 2, 3, 4, 5, 6, 7, 8, 9},

		"methods":             methods,
		"methods addressable": &methods,
		"methods in slice":    []Methods{methods},
		"methods in map":      map[string]Methods{"m": methods},
		"methods in iface":    []any{methods, &methods},
		"methods in array":    [1]Methods{methods},
		"ptrM value":          ptrM{1},
		"ptrM pointer":        &ptrM{1},
		"ptrM nil":            (*ptrM)(nil),
		"valM nil ptr":        (*valM)(nil),
		"ptrT value":          ptrT{"x"},
		"ptrT pointer":        &ptrT{"x"},
		"mix value":           ptrJSONvalText{},
		"mix pointer":         &ptrJSONvalText{},
		"mix in map":          map[string]ptrJSONvalText{"a": {}},
		"mix in slice":        []ptrJSONvalText{{}},
		"raw spaces":          rawM(" \t\n{ \"a\" : [ 1 , 2 , \"<&>\u2028 x\" ] , \"b\" : null }\r\n"),
		"raw invalid":         rawM(`{"a":}`),
		"raw empty":           rawM(""),
		"raw two values":      rawM(`1 2`),
		"raw bad utf8":        rawM("\"\xff\""),
		"raw in struct":       struct{ R rawM }{rawM("nope")},
		"err marshaler":       errM{},
		"err marshaler field": struct{ E []errM }{[]errM{{}}},
		"err text":            errT{},
		"nil json.Marshaler":  struct{ M json.Marshaler }{},
		"nil text iface": struct {
			T interface{ MarshalText() ([]byte, error) }
		}{},
		"ptrValM": []*ptrValM{nil, ptr(ptrValM(2))},

		"time":           t0,
		"time utc":       time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		"time ptr nil":   (*time.Time)(nil),
		"times":          []time.Time{t0, {}},
		"duration":       time.Duration(1500),
		"netip":          netip.MustParseAddrPort("[::1]:80"),
		"raw message":    json.RawMessage(` [1, {"a" : "<b>"} ] `),
		"nil raw":        json.RawMessage(nil),
		"raw bad":        json.RawMessage(`{`),
		"raw in slice":   []json.RawMessage{nil, json.RawMessage(`"x"`)},
		"number":         json.Number("-1.5e+10"),
		"number empty":   json.Number(""),
		"number bad":     json.Number("01"),
		"number bad2":    json.Number("1e"),
		"numbers":        []json.Number{"0", "1.0", "-0.0E-0"},
		"number in any":  map[string]any{"n": json.Number("3")},
		"chan":           make(chan int),
		"func":           func() {},
		"complex":        complex(1, 2),
		"kinds":          Kinds{},
		"chan field nil": struct{ C chan int }{},
		"chan omitempty": struct {
			C chan int `json:",omitempty"`
		}{},
		"chan ptr omitempty": struct {
			C *chan int `json:",omitempty"`
		}{},

		"cycle ptr":   cycle,
		"cycle map":   mcycle,
		"cycle slice": scycle,
		"deep list":   deep,

		"everything": everything{
			Embeds: Embeds{Base: Base{ID: "x"}, ptrEmbed: &ptrEmbed{}},
			Q:      Quoted{S: "s"},
			Z:      OmitZeros{I: 1},
			M:      methods,
			Nested: map[string][]map[int]*Base{"b": {{2: {ID: "2"}, 1: nil}}, "a": nil},
			Times:  []time.Time{t0},
			Durs:   map[textKey]time.Duration{{1, 1}: time.Hour},
		},
	}
}

func TestMarshalMatchesEncodingJSON(t *testing.T) {
	for name, v := range marshalCases() {
		t.Run(name, func(t *testing.T) { checkMarshal(t, v) })
	}
}

// checkMarshal fails t unless Marshal and AppendMarshal agree with
// encoding/json.Marshal on v: the same bytes, or errors with the same text.
func checkMarshal(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := Marshal(v)
	switch {
	case wantErr != nil && err == nil:
		t.Fatalf("Marshal(%T) = %s, want error %q", v, got, wantErr)
	case wantErr == nil && err != nil:
		t.Fatalf("Marshal(%T): %v, want %s", v, err, want)
	case wantErr != nil:
		// The wording matches encoding/json's, except for a MarshalJSON
		// method's invalid output, which the decoder's scanner words.
		var me *MarshalerError
		if err.Error() != wantErr.Error() && !(errors.As(err, &me) && me.sourceFunc == "MarshalJSON") {
			t.Errorf("Marshal(%T) error:\n got %q\nwant %q", v, err, wantErr)
		}
		if got != nil {
			t.Errorf("Marshal(%T) returned %q with its error", v, got)
		}
	case !bytes.Equal(got, want):
		t.Fatalf("Marshal(%T):\n got %s\nwant %s", v, got, want)
	}

	prefix := []byte("prefix:")
	app, err := AppendMarshal(prefix[:len(prefix):len(prefix)], v)
	if wantErr != nil {
		if err == nil || !bytes.Equal(app, prefix) {
			t.Errorf("AppendMarshal(%T) = %q, %v; want the prefix and an error", v, app, err)
		}
	} else if err != nil || string(app) != string(prefix)+string(want) {
		t.Errorf("AppendMarshal(%T) = %q, %v; want %q", v, app, err, string(prefix)+string(want))
	}
}

func TestMarshalErrors(t *testing.T) {
	// The text of each error, checked here against what the brief of this
	// package promises; TestMarshalMatchesEncodingJSON checks it is also
	// encoding/json's.
	for _, tc := range []struct {
		v    any
		want string
	}{
		{math.NaN(), "json: unsupported value: NaN"},
		{float32(math.Inf(1)), "json: unsupported value: +Inf"},
		{make(chan int), "json: unsupported type: chan int"},
		{struct{ F func() }{}, "json: unsupported type: func()"},
		{map[[2]int]int(nil), "json: unsupported type: map[[2]int]int"},
		{errM{}, "json: error calling MarshalJSON for type jsoncodec.errM: no <json> today"},
		{rawM("{"), "json: error calling MarshalJSON for type jsoncodec.rawM: json: syntax error at offset 1: unexpected end of input looking for an object key"},
		{rawM("[1,]"), "json: error calling MarshalJSON for type jsoncodec.rawM: json: syntax error at offset 3: unexpected ']' looking for a value"},
		{errT{}, "json: error calling MarshalText for type jsoncodec.errT: no text"},
		{json.Number("x"), `json: invalid number literal "x"`},
		{map[errTextKey]int{1: 1}, `json: encoding error for type "map[jsoncodec.errTextKey]int": "bad key"`},
	} {
		_, err := Marshal(tc.v)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Marshal(%T) error = %v, want %q", tc.v, err, tc.want)
		}
	}

	// The method's error stays reachable.
	_, err := Marshal(errM{})
	var me *MarshalerError
	if !errors.As(err, &me) || me.Err == nil || me.Err.Error() != "no <json> today" {
		t.Errorf("Marshal(errM{}) error %v does not unwrap to the method's error", err)
	}
}

// compactCases are MarshalJSON results, valid and not, to exercise
// compactJSON against encoding/json's compaction of them.
var compactCases = []string{
	``, ` `, `null`, ` true `, `false`, `nul`, `nulx`, `tru`, `trUe`, `f`, `fals`, `falsey`,
	`0`, `-0`, `-`, `-a`, `01`, `1.`, `1.x`, `1.5`, `1e`, `1e+`, `1e-5`, `1E+05`, `1ex`, `-1.5e10`, `1.5.3`, `123 `,
	`"`, `"abc`, `"a\`, `"\q"`, `"\u12"`, `"\u12G4"`, `"\u00e9\n\"\\\/\b\f\r\t"`, "\"\x01\"", "\"\x7f\"", "\"\xff\xfe\"",
	`"<a href='x'>&amp;</a>"`, "\"\u2028\u2029\"", "\"\xe2\x80\"", "\xe2\x80\xa8",
	`[]`, `[ ]`, `[`, `[1`, `[1,`, `[1,]`, `[,1]`, `[1 2]`, `[1:2]`, ` [ 1 , [ 2 , [ ] ] , { } ] `,
	`{}`, `{ }`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `{"a":1 "b":2}`, `{"a":1]`,
	` { "a" : { "b" : [ null , true ] } , "c" : "d" } `, `{"a":1}}`, `[1]]`, `'x'`, `x`, "\x00", "é", "1\x00",
	"[\n\t1\r\n]", `{"<":">"}`, `"\u2028"`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
}

func TestMarshalCompactsMarshalerOutput(t *testing.T) {
	for _, s := range compactCases {
		name := s
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			checkMarshal(t, json.RawMessage(s))
			checkMarshal(t, rawM(s))
		})
	}
}

func TestMarshalCycleDetection(t *testing.T) {
	// A cycle ends in encoding/json's error; a deep list that is not a
	// cycle encodes (both checked against encoding/json above). Here: the
	// state returned to the pool is clean after an error.
	cycle := &Node{}
	cycle.Next = cycle
	for i := 0; i < 3; i++ {
		if _, err := Marshal(cycle); err == nil || !strings.Contains(err.Error(), "encountered a cycle via *jsoncodec.Node") {
			t.Fatalf("Marshal(cycle) error = %v", err)
		}
		checkMarshal(t, &Node{V: i})
	}
}

func TestMarshalConcurrent(t *testing.T) {
	cases := marshalCases()
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, v := range cases {
				want, wantErr := json.Marshal(v)
				got, err := Marshal(v)
				if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
					t.Errorf("Marshal(%T) differs under concurrency", v)
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

// fuzzDoc is a target for decoding fuzz input with encoding/json: several
// kinds of field, so Marshal sees values no table lists.
type fuzzDoc struct {
	Base
	*ptrEmbed
	S     string            `json:"s"`
	SO    string            `json:"so,omitempty"`
	SQ    string            `json:"sq,string"`
	I     int64             `json:"i,omitempty"`
	IQ    int               `json:",string"`
	U     uint16            `json:"u"`
	F     float64           `json:"f"`
	F32   float32           `json:"f32,omitzero"`
	B     bool              `json:"b,string"`
	P     *int              `json:"p"`
	PP    **string          `json:"pp,omitempty"`
	Bytes []byte            `json:"bytes"`
	Strs  []string          `json:"strs"`
	Arr   [3]float32        `json:"arr"`
	M     map[string]any    `json:"m"`
	MI    map[int]string    `json:"mi"`
	MU    map[uint8]*Base   `json:"mu"`
	MT    map[myString]bool `json:"mt,omitempty"`
	Any   any               `json:"any"`
	Anys  []any             `json:"anys"`
	Raw   json.RawMessage   `json:"raw"`
	Num   json.Number       `json:"num"`
	T     time.Time         `json:"t,omitzero"`
	Next  *fuzzDoc          `json:"next,omitempty"`
	List  []fuzzDoc         `json:"list"`
}

func FuzzMarshal(f *testing.F) {
	for _, s := range []string{
		`null`, `1`, `-0.0`, `1e21`, `1e-7`, `"<a>&\u2028"`, `"\ud800"`, `[1,"x",null,true,{}]`,
		`{"s":"a\"b","so":"","sq":"\"q\"","i":-9223372036854775808,"IQ":"12","u":65535,"f":1e-7,"f32":3.4e38,"b":"true"}`,
		`{"p":1,"pp":"x","bytes":"AAEC/w==","strs":["a",null],"arr":[1.5,2],"m":{"b":1,"a":[{}]},"mi":{"-1":"x","10":"y","9":"z"}}`,
		`{"mu":{"255":{"ID":"x"},"0":null},"mt":{"z":true,"a":false},"any":{"x":[1.25,"\u0000"]},"anys":[[],{}],"raw":{ "a" : 1 }}`,
		`{"num":-1.5e3,"t":"2024-02-29T13:04:05.123+05:30","next":{"s":"n","next":{}},"list":[{"ID":"l","name":"n","P":"p"}]}`,
		`{"ID":"id","name":"<name>","Dup":3,"P":"embedded"}`,
		"\"\xff\xfe\x80 \u2029\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The input as a MarshalJSON result and as a string.
		checkMarshal(t, json.RawMessage(data))
		checkMarshal(t, string(data))
		checkMarshal(t, data)

		var v any
		if json.Unmarshal(data, &v) == nil {
			checkMarshal(t, v)
			d := json.NewDecoder(bytes.NewReader(data))
			d.UseNumber()
			var n any
			if d.Decode(&n) == nil {
				checkMarshal(t, n)
			}
		}
		var doc fuzzDoc
		if json.Unmarshal(data, &doc) == nil {
			checkMarshal(t, doc)
			checkMarshal(t, &doc)
		}
	})
}

// benchContainer is shaped like the SDK's generated request bodies (a
// container create with its host config): omitempty and omitzero, maps,
// slices, pointers, nested structs and a time.
type benchContainer struct {
	Hostname     string              `json:"Hostname,omitempty"`
	User         string              `json:"User,omitempty"`
	AttachStdout bool                `json:"AttachStdout,omitempty"`
	Tty          bool                `json:"Tty,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string            `json:"Env,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	Healthcheck  *benchHealth        `json:"Healthcheck,omitempty"`
	Image        string              `json:"Image,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	Labels       map[string]string   `json:"Labels,omitempty"`
	StopTimeout  *int64              `json:"StopTimeout,omitempty"`
	HostConfig   benchHostConfig     `json:"HostConfig,omitzero"`
	Created      time.Time           `json:"Created,omitzero"`
}

type benchHealth struct {
	Test     []string `json:"Test,omitempty"`
	Interval int64    `json:"Interval,omitempty"`
	Retries  int64    `json:"Retries,omitempty"`
}

type benchHostConfig struct {
	Binds         []string                      `json:"Binds,omitempty"`
	NetworkMode   string                        `json:"NetworkMode,omitempty"`
	PortBindings  map[string][]benchPortBinding `json:"PortBindings,omitempty"`
	RestartPolicy benchRestart                  `json:"RestartPolicy,omitzero"`
	AutoRemove    bool                          `json:"AutoRemove,omitempty"`
	Memory        int64                         `json:"Memory,omitempty"`
	NanoCpus      int64                         `json:"NanoCpus,omitempty"`
	CPUShares     int64                         `json:"CpuShares,omitempty"`
	Mounts        []benchMount                  `json:"Mounts,omitempty"`
	Ulimits       []*benchUlimit                `json:"Ulimits,omitempty"`
	Privileged    bool                          `json:"Privileged,omitempty"`
	ShmSize       int64                         `json:"ShmSize,omitempty"`
	LogConfig     map[string]string             `json:"LogConfig,omitempty"`
}

type benchPortBinding struct {
	HostIP   string `json:"HostIp,omitempty"`
	HostPort string `json:"HostPort,omitempty"`
}

type benchRestart struct {
	Name              string `json:"Name,omitempty"`
	MaximumRetryCount int64  `json:"MaximumRetryCount,omitempty"`
}

type benchMount struct {
	Target   string `json:"Target,omitempty"`
	Source   string `json:"Source,omitempty"`
	Type     string `json:"Type,omitempty"`
	ReadOnly bool   `json:"ReadOnly,omitempty"`
}

type benchUlimit struct {
	Name string `json:"Name,omitempty"`
	Soft int64  `json:"Soft,omitempty"`
	Hard int64  `json:"Hard,omitempty"`
}

func benchValue() *benchContainer {
	return &benchContainer{
		Hostname:     "web-1",
		User:         "1000:1000",
		AttachStdout: true,
		ExposedPorts: map[string]struct{}{"80/tcp": {}, "443/tcp": {}},
		Env:          []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG=C.UTF-8", "APP_ENV=production", "TOKEN=<redacted>&x"},
		Cmd:          []string{"nginx", "-g", "daemon off;"},
		Healthcheck:  &benchHealth{Test: []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}, Interval: 30e9, Retries: 3},
		Image:        "docker.io/library/nginx:1.27-alpine",
		WorkingDir:   "/usr/share/nginx/html",
		Labels:       map[string]string{"com.example.team": "web", "com.example.tier": "frontend", "com.docker.compose.project": "shop", "com.docker.compose.service": "web"},
		StopTimeout:  ptr(int64(10)),
		HostConfig: benchHostConfig{
			Binds:         []string{"/srv/www:/usr/share/nginx/html:ro", "/var/log/nginx:/var/log/nginx"},
			NetworkMode:   "bridge",
			PortBindings:  map[string][]benchPortBinding{"80/tcp": {{HostIP: "0.0.0.0", HostPort: "8080"}}, "443/tcp": {{HostPort: "8443"}}},
			RestartPolicy: benchRestart{Name: "on-failure", MaximumRetryCount: 5},
			Memory:        512 << 20,
			NanoCpus:      1.5e9,
			Mounts:        []benchMount{{Target: "/cache", Type: "tmpfs"}, {Target: "/data", Source: "webdata", Type: "volume"}},
			Ulimits:       []*benchUlimit{{Name: "nofile", Soft: 65536, Hard: 65536}},
			ShmSize:       64 << 20,
			LogConfig:     map[string]string{"max-size": "10m", "max-file": "3"},
		},
		Created: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
	}
}

func TestMarshalBenchValue(t *testing.T) {
	checkMarshal(t, benchValue())
	checkMarshal(t, *benchValue())
}

func BenchmarkMarshal(b *testing.B) {
	v := benchValue()
	out, _ := json.Marshal(v)
	b.Run("jsoncodec", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(out)))
		for b.Loop() {
			if _, err := Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(out)))
		for b.Loop() {
			if _, err := json.Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jsoncodec-append", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(out)))
		buf := make([]byte, 0, 4096)
		for b.Loop() {
			var err error
			if buf, err = AppendMarshal(buf[:0], v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
