package jsoncodec_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/dockerclient/docker/internal/jsoncodec"
	"github.com/dockerclient/docker/internal/leakcheck"
	"github.com/dockerclient/docker/v141"
)

func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }

type Inner struct {
	A string
	B int `json:"b"`
}

type Embedded struct {
	E1   string
	Dup  string
	Deep int
}

type Embedded2 struct {
	Dup    string // conflicts with Embedded.Dup at the same depth: dropped
	Tagged string `json:"Deep"`
}

type hexID int

func (h *hexID) UnmarshalText(b []byte) error {
	if string(b) == "bad" {
		return errors.New("bad id")
	}
	*h = hexID(len(b))
	return nil
}

func (h hexID) MarshalText() ([]byte, error) { return []byte(strings.Repeat("x", int(h))), nil }

type upper string

func (u *upper) UnmarshalJSON(b []byte) error {
	*u = upper(strings.ToUpper(string(b)))
	return nil
}

// jtKey and jtStruct decode themselves both ways; as map keys,
// encoding/json prefers UnmarshalJSON (given the quoted key).
type jtKey string

func (k *jtKey) UnmarshalJSON(b []byte) error { *k = jtKey("J:" + string(b)); return nil }
func (k *jtKey) UnmarshalText(b []byte) error { *k = jtKey("T:" + string(b)); return nil }

type jtStruct struct{ S string }

func (k *jtStruct) UnmarshalJSON(b []byte) error { k.S = "J:" + string(b); return nil }
func (k *jtStruct) UnmarshalText(b []byte) error { k.S = "T:" + string(b); return nil }

// ujInt decodes itself from JSON: a ",string" field of it gets the text.
type ujInt int

func (u *ujInt) UnmarshalJSON(b []byte) error {
	n, err := strconv.Atoi(string(b))
	*u = ujInt(n * 10)
	return err
}

type quotedKinds struct {
	U  ujInt       `json:",string"`
	UP *ujInt      `json:",string"`
	N  json.Number `json:",string"`
	H  hexID       `json:",string"`
	S  *string     `json:",string"`
}

type kitchen struct {
	Embedded
	*Embedded2
	S       string
	Sp      *string
	I       int
	I8      int8
	U16     uint16
	F32     float32
	F       float64
	B       bool
	Bytes   []byte
	Strs    []string
	Arr     [2]int
	M       map[string]int
	MI      map[int]string
	MU      map[uint8]bool
	MT      map[hexID]string
	Ptr     *Inner
	PP      **int
	Inners  []Inner
	Any     any
	Anys    []any
	Raw     json.RawMessage
	Num     json.Number
	T       time.Time
	Tp      *time.Time
	Up      upper
	Upp     *upper
	ID      hexID
	Quoted  int     `json:"q,string"`
	QuotedS string  `json:"qs,string"`
	QuotedF float64 `json:"qf,string"`
	Skip    string  `json:"-"`
	Dash    string  `json:"-,"`
	Renamed string  `json:"other_name,omitempty"`
	hidden  string
}

// targets are fresh values of the types the differential tests decode
// into; each returns a pair, one for each decoder.
var targets = map[string]func() any{
	"any":       func() any { return new(any) },
	"map":       func() any { return new(map[string]any) },
	"kitchen":   func() any { return new(kitchen) },
	"kitchens":  func() any { return new([]kitchen) },
	"summaries": func() any { return new([]v141.ContainerSummary) },
	"inspect":   func() any { return new(v141.ContainerInspectResponse) },
	"strings":   func() any { return new([]string) },
	"int":       func() any { return new(int) },
	"inners":    func() any { return new(map[string]*Inner) },
	"kelvin":    func() any { return new(struct{ K, Ä int }) },
	"fold":      func() any { return new(struct{ Å, ID, I int }) },
	"jtkeys":    func() any { return new(map[jtKey]int) },
	"jtstructs": func() any { return new(map[jtStruct]int) },
	"quoted":    func() any { return new(quotedKinds) },
}

// compare decodes doc with both decoders and fails on any difference: an
// error from one only, or different results.
func compare(t *testing.T, name, doc string) {
	t.Helper()
	want, got := targets[name](), targets[name]()
	errWant := json.Unmarshal([]byte(doc), want)
	errGot := Unmarshal([]byte(doc), got)
	switch {
	case errWant != nil && errGot == nil:
		t.Fatalf("%s %q: encoding/json fails (%v), jsoncodec does not", name, doc, errWant)
	case errWant == nil && errGot != nil:
		t.Fatalf("%s %q: jsoncodec fails: %v", name, doc, errGot)
	case errWant == nil && !reflect.DeepEqual(want, got):
		t.Fatalf("%s %q:\n got %#v\nwant %#v", name, doc, reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem())
	}
	// A document both malformed and mismatched may fail here with a type
	// error (jsoncodec stops at the first problem); but a syntax error here
	// must be one there too.
	var mine *SyntaxError
	if errors.As(errGot, &mine) {
		var syn *json.SyntaxError
		if !errors.As(errWant, &syn) {
			t.Fatalf("%s %q: jsoncodec finds a syntax error (%v), encoding/json returns %v", name, doc, errGot, errWant)
		}
	}
}

func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	cases := []struct{ target, doc string }{
		{"any", `{"a":[1,2.5,-3e2,"x",true,false,null,{}],"b":{"c":"\u00e9\n\"\\\/"}}`},
		{"any", ` "plain" `},
		{"any", `"\ud83d\ude00 and \ud83d alone and \ude00 too"`},
		{"any", "\"bad utf8 \xff\xfe here\""},
		{"any", "\"escaped and bad \\n \xff\""},
		{"any", `1e400`},
		{"any", `-0`},
		{"any", `01`},
		{"any", `1.`},
		{"any", `.5`},
		{"any", `[1,]`},
		{"any", `{"a":1,}`},
		{"any", `{"a" 1}`},
		{"any", `[1 2]`},
		{"any", `"tab	inside"`},
		{"any", `"\x"`},
		{"any", `"\u12"`},
		{"any", `nul`},
		{"any", `true false`},
		{"any", ``},
		{"any", `   `},
		{"any", `{"a":1}x`},
		{"map", `{"k":1,"k":2,"K":3}`},
		{"map", `null`},
		{"map", `[]`},
		{"kitchen", `{}`},
		{"kitchen", `null`},
		{"kitchen", `{"E1":"e","Dup":"d","Deep":"tagged wins","deep":"folded"}`},
		{"kitchen", `{"İ":1}`},           // U+0130 folds to no ASCII letter
		{"kelvin", `{"\u212a":2,"ä":3}`}, // the Kelvin sign folds to K, ä to Ä
		{"fold", `{"å":1,"ıd":2,"ı":3}`},
		{"jtkeys", `{"a":1,"b\u0041":2}`},
		{"jtstructs", `{"a":1}`},
		{"quoted", `{"U":"12","UP":"3","N":"12.5","H":"\"abc\"","S":"\"s\""}`},
		{"quoted", `{"U":"x"}`},
		{"quoted", `{"N":"1x"}`},
		{"quoted", `{"H":"5"}`},
		{"quoted", `{"U":"null","UP":"null","S":"null"}`},
		{"quoted", `{"U":"","N":""}`}, // å and the Ångström sign fold to Å; dotless ı matches no I
		{"kitchen", `{"s":"case-insensitive","S":"exact","i":-7,"I8":127,"U16":65535,"F32":3.5,"F":1e-7,"B":true}`},
		{"kitchen", `{"I8":128}`},
		{"kitchen", `{"U16":-1}`},
		{"kitchen", `{"I":1.5}`},
		{"kitchen", `{"I":"1"}`},
		{"kitchen", `{"S":1}`},
		{"kitchen", `{"B":"true"}`},
		{"kitchen", `{"F32":1e39}`},
		{"kitchen", `{"Sp":"x","Ptr":{"A":"a","b":2},"PP":5,"Inners":[{"A":"1"},{"b":2}]}`},
		{"kitchen", `{"Sp":null,"Ptr":null,"PP":null,"Inners":null,"M":null}`},
		{"kitchen", `{"Bytes":"aGVsbG8=","Strs":["a","b"],"Arr":[1,2,3],"M":{"x":1},"MI":{"-5":"a","7":"b"},"MU":{"255":true}}`},
		{"kitchen", `{"Arr":[9]}`},
		{"kitchen", `{"Bytes":"not base64!"}`},
		{"kitchen", `{"MI":{"x":"a"}}`},
		{"kitchen", `{"MU":{"256":true}}`},
		{"kitchen", `{"MT":{"abc":"three"}}`},
		{"kitchen", `{"MT":{"bad":"x"}}`},
		{"kitchen", `{"Any":{"n":[1,{"m":null}]},"Anys":[1,"a",null,[]]}`},
		{"kitchen", `{"Raw":  {"keep" : [1, 2]}  ,"Num":12.5e3}`},
		{"kitchen", `{"Num":"12"}`},
		{"kitchen", `{"Num":"twelve"}`},
		{"kitchen", `{"T":"2024-01-02T03:04:05.123456789Z","Tp":"2024-01-02T03:04:05Z"}`},
		{"kitchen", `{"T":null,"Tp":null}`},
		{"kitchen", `{"T":"yesterday"}`},
		{"kitchen", `{"Up":"abc","Upp":[1,"x"]}`},
		{"kitchen", `{"Up":null,"Upp":null}`},
		{"kitchen", `{"ID":"abcd"}`},
		{"kitchen", `{"ID":5}`},
		{"kitchen", `{"ID":"bad"}`},
		{"kitchen", `{"q":"42","qs":"\"str\"","qf":"2.5"}`},
		{"kitchen", `{"q":42}`},
		{"kitchen", `{"q":"x"}`},
		{"kitchen", `{"q":null,"qs":null}`},
		{"kitchen", `{"Skip":"no","-":"dash","other_name":"r","hidden":"h"}`},
		{"kitchen", `{"Strs":[]}`},
		{"kitchen", `{"Inners":[{"A":"x","Unknown":{"deep":[1,2,{"x":"y"}]}}]}`},
		{"kitchen", `{"I":99999999999999999999}`},
		{"kitchens", `[{"S":"a"},{"S":"b","I":2},{}]`},
		{"kitchens", `[]`},
		{"kitchens", `{}`},
		{"strings", `["a","\u0041","é"]`},
		{"summaries", `[{"Labels":{"a":null,"b":"x","c":"\u0041"}}]`},
		{"summaries", `[{"Labels":{"a":1}}]`},
		{"summaries", `[{"Labels":[]}]`},
		{"strings", `["a",1]`},
		{"int", `12`},
		{"int", `-0`},
		{"int", `1e2`},
		{"int", `"12"`},
		{"inners", `{"a":{"A":"1"},"b":null}`},
		{"summaries", `[{"Id":"abc","Names":["/x"],"Image":"busybox","Ports":[{"PrivatePort":80,"Type":"tcp"}],"Labels":{"a":"b"},"State":"running","HostConfig":{"NetworkMode":"none"},"NetworkSettings":{"Networks":{"none":{"NetworkID":"n1","IPAddress":""}}},"Mounts":[]}]`},
		{"inspect", `{"Id":"abc","State":{"Status":"exited","ExitCode":137,"Running":false},"Config":{"Env":["A=1"],"Cmd":["sh","-c","x"],"Labels":{}},"HostConfig":{"Memory":1048576,"NetworkMode":"none"}}`},
	}
	for _, c := range cases {
		compare(t, c.target, c.doc)
	}
}

func TestUnmarshalIntoExistingValues(t *testing.T) {
	// encoding/json merges into what a target already holds: struct fields
	// not in the document stay, maps gain keys, slices are refilled.
	doc := `{"S":"new","M":{"b":2},"Strs":["x"],"Ptr":{"b":3}}`
	mk := func() *kitchen {
		return &kitchen{I: 7, S: "old", M: map[string]int{"a": 1}, Strs: []string{"p", "q", "r"}, Ptr: &Inner{A: "keep"}}
	}
	want, got := mk(), mk()
	if err := json.Unmarshal([]byte(doc), want); err != nil {
		t.Fatal(err)
	}
	if err := Unmarshal([]byte(doc), got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestUnmarshalNullIntoInterfaceHoldingPointers: null clears the pointer
// an interface reaches through another pointer, not the interface.
func TestUnmarshalNullIntoInterfaceHoldingPointers(t *testing.T) {
	mk := func() (*any, **int) {
		n := 5
		p := &n
		pp := &p
		var v any = pp
		return &v, pp
	}
	want, wantPP := mk()
	got, gotPP := mk()
	if err := json.Unmarshal([]byte(`null`), want); err != nil {
		t.Fatal(err)
	}
	if err := Unmarshal([]byte(`null`), got); err != nil {
		t.Fatal(err)
	}
	if (*want == nil) != (*got == nil) || (*wantPP == nil) != (*gotPP == nil) {
		t.Fatalf("encoding/json: any nil %v, inner nil %v; jsoncodec: any nil %v, inner nil %v",
			*want == nil, *wantPP == nil, *got == nil, *gotPP == nil)
	}
}

func TestUnmarshalErrorsNameWhatWasWrong(t *testing.T) {
	var k kitchen
	err := Unmarshal([]byte(`{"Inners":[{"A":"x","b":"two"}]}`), &k)
	var te *TypeError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a *TypeError", err)
	}
	want := "json: cannot decode string into field kitchen.Inners.B of type int (offset 24)"
	if err.Error() != want {
		t.Fatalf("got  %q\nwant %q", err.Error(), want)
	}
	err = Unmarshal([]byte(`{"S":"x",}`), &k)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 9 {
		t.Fatalf("got %v, want a syntax error at offset 9", err)
	}
	if err := Unmarshal([]byte(`{}`), k); err == nil || !strings.Contains(err.Error(), "not a pointer") {
		t.Fatalf("decoding into a non-pointer: got %v", err)
	}
	if err := Unmarshal([]byte(strings.Repeat("[", 10001)), new(any)); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("deep nesting: got %v", err)
	}
}

// TestUnmarshalEscapedStringsCostLinear: a string with escapes allocates
// what it holds, not the rest of the document (which made a daemon's list
// of commands with && in them quadratic).
func TestUnmarshalEscapedStringsCostLinear(t *testing.T) {
	doc := []byte("[" + strings.Repeat(`"a\u003cb",`, 20000) + `"end"]`)
	var out []string
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := Unmarshal(doc, &out); err != nil || len(out) != 20001 || out[0] != "a<b" {
		t.Fatalf("%d strings, %v", len(out), err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 20*uint64(len(doc)) {
		t.Fatalf("decoding %d bytes allocated %d", len(doc), n)
	}
}

func TestUnmarshalSharesTheDocument(t *testing.T) {
	doc := []byte(`[{"Id":"0123456789abcdef","Names":["/one"],"Image":"busybox","Labels":{"k":"v"}},` +
		`{"Id":"fedcba9876543210","Names":["/two"],"Image":"busybox","Labels":{"k":"v"}}]`)
	mine := testing.AllocsPerRun(50, func() {
		var out []v141.ContainerSummary
		if err := Unmarshal(doc, &out); err != nil {
			t.Fatal(err)
		}
	})
	std := testing.AllocsPerRun(50, func() {
		var out []v141.ContainerSummary
		if err := json.Unmarshal(doc, &out); err != nil {
			t.Fatal(err)
		}
	})
	// Two containers: the document, the slice (grown twice), two Names
	// slices and two maps with their buckets; no string allocations.
	if mine > std/2 {
		t.Fatalf("jsoncodec made %v allocations, encoding/json %v: strings are not shared", mine, std)
	}
}

func TestFramer(t *testing.T) {
	for doc, want := range map[string]int{
		`{"a":"}]\"{"} {"b":2}`: 13,
		` [1,[2,{}]]x`:          11,
		`"x\"y"rest`:            6,
		`12 `:                   2,
		`true,`:                 4,
		`{]`:                    2, // malformed, but framed: Unmarshal reports it
	} {
		// Fed one byte at a time, as a slow stream would deliver it.
		var f Framer
		got := -1
		for n := 1; n <= len(doc) && got < 0; n++ {
			got = f.End([]byte(doc[:n]))
		}
		if got != want {
			t.Errorf("End(%q) = %d, want %d", doc, got, want)
		}
	}
	for _, doc := range []string{`{"a":`, `[1,2`, `"abc`, `12`, ``, `  `, `"\"`} {
		var f Framer
		if n := f.End([]byte(doc)); n != -1 {
			t.Errorf("End(%q) = %d, want -1 (incomplete)", doc, n)
		}
	}
	if !Valid([]byte(`{"a":[1,"b",null]}`)) || Valid([]byte(`{"a":}`)) || Valid([]byte(`1 2`)) {
		t.Error("Valid disagrees with the grammar")
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x",true,null]}`, `{"S":"x","Inners":[{"b":1}],"M":{"k":2}}`,
		`[{"Id":"a","Ports":[{"PrivatePort":1}],"Labels":{"x":"y"}}]`, `"\ud83d\ude00\u00e9"`, `{"q":"1","T":"2024-01-02T03:04:05Z"}`} {
		f.Add(s)
	}
	names := []string{"any", "kitchen", "summaries", "inspect", "map", "inners"}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, name := range names {
			compare(t, name, doc)
		}
		var std bool = json.Valid([]byte(doc))
		if Valid([]byte(doc)) != std {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", doc, !std, std)
		}
	})
}

func BenchmarkUnmarshalContainerList(b *testing.B) {
	var one strings.Builder
	one.WriteString(`[`)
	for i := 0; i < 50; i++ {
		if i > 0 {
			one.WriteString(",")
		}
		one.WriteString(`{"Id":"4c1d3b1f2a6e4d0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f","Names":["/bench-container"],` +
			`"Image":"busybox:latest","ImageID":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",` +
			`"Command":"sleep 3600","Created":1700000000,"Ports":[],"Labels":{"dockersdk.bench":"1","com.example.a":"b"},` +
			`"State":"created","Status":"Created","HostConfig":{"NetworkMode":"none"},` +
			`"NetworkSettings":{"Networks":{"none":{"IPAMConfig":null,"Links":null,"Aliases":null,"NetworkID":"abc","EndpointID":"",` +
			`"Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"MacAddress":"","DriverOpts":null}}},"Mounts":[]}`)
	}
	one.WriteString(`]`)
	doc := []byte(one.String())
	for _, c := range []struct {
		name string
		fn   func([]byte, any) error
	}{{"jsoncodec", Unmarshal}, {"encoding-json", json.Unmarshal}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				var out []v141.ContainerSummary
				if err := c.fn(doc, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
