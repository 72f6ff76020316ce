package gen

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
)

func TestGoWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"buildargs", "BuildArgs"},
		{"cachefrom", "CacheFrom"},
		{"nocache", "NoCache"},
		{"forcerm", "ForceRemove"},
		{"rm", "Remove"},
		{"shmsize", "ShmSize"},
		{"cpusetcpus", "CPUSetCPUs"},
		{"CpusetCpus", "CPUSetCPUs"},
		{"cpushares", "CPUShares"},
		{"memswap", "MemorySwap"},
		{"extrahosts", "ExtraHosts"},
		{"networkmode", "NetworkMode"},
		{"noprune", "NoPrune"},
		{"serveraddress", "ServerAddress"},
		{"IdResponse", "IDResponse"},
		{"IDResponse", "IDResponse"},
		{"tcp", "TCP"},
		{"vip", "VIP"},
		{"ExecIDs", "ExecIDs"},
		{"NanoCpus", "NanoCPUs"},
		{"NanoCPUs", "NanoCPUs"},
		{"IPv4Address", "IPv4Address"},
		{"timeout", "Timeout"},
		{"hostname", "Hostname"},
		{"ReadonlyRootfs", "ReadOnlyRootfs"},
		{"usage_in_kernelmode", "UsageInKernelMode"},
	} {
		if got := exportedName(c.in); got != c.want {
			t.Errorf("exportedName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestGoNames checks every exported name generated from the real specs:
// its words are known (gen/words.txt) or initialisms in capitals, no enum
// constant is named by position (N0) and no nested item doubles up
// (ItemItem); and a parameter, field or enum value has one Go name in
// every version.
func TestGoNames(t *testing.T) {
	m, err := Load("../specs")
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]string{} // problem -> names
	numbered := regexp.MustCompile(`(^|[a-z])N[0-9]`)
	var opIDs []string
	for _, p := range m.Pkgs {
		for _, op := range p.Ops {
			opIDs = append(opIDs, op.ID)
		}
	}
	check := func(name string) {
		// Methods are named by Docker's operationIds (SwarmUnlockkey);
		// what is named after one is checked past it.
		for _, id := range opIDs {
			if rest, ok := strings.CutPrefix(name, id); ok && (rest == "" || unicode.IsUpper(rune(rest[0]))) {
				name = rest
				break
			}
		}
		if name == "" {
			return
		}
		if numbered.MatchString(name) {
			bad["an enum constant named by position"] = append(bad["an enum constant named by position"], name)
		}
		if strings.Contains(name, "ItemItem") {
			bad["a doubled Item"] = append(bad["a doubled Item"], name)
		}
		for _, w := range splitWords(name) {
			if w == strings.ToUpper(w) && len(segment(strings.ToLower(w))) > 1 {
				continue // initialisms run together in capitals: UIDGID, HTTPV1
			}
			if _, ok := initialisms[strings.ToLower(w)]; !ok {
				w = strings.TrimRightFunc(w, unicode.IsDigit) // Version1
			}
			lw := strings.ToLower(w)
			if lw == "" {
				continue
			}
			if up, ok := initialisms[lw]; ok {
				if w != up && w != strings.ToUpper(up) {
					bad["an initialism not in capitals"] = append(bad["an initialism not in capitals"], name+" ("+w+")")
				}
				continue
			}
			if !knownWords[lw] && !isDigits(lw) {
				bad["a word missing from gen/words.txt (split it or list it)"] = append(bad["a word missing from gen/words.txt (split it or list it)"], name+" ("+w+")")
			}
		}
	}
	// key -> Go name -> versions, for names that must not change.
	same := map[string]map[string][]int{}
	keep := func(key, name string, v int) {
		if same[key] == nil {
			same[key] = map[string][]int{}
		}
		same[key][name] = append(same[key][name], v)
	}
	for _, p := range m.Pkgs {
		v := p.Version.Minor
		consts := constNames(p)
		for _, op := range p.Ops {
			check(op.OptionsName())
			for _, prm := range op.Params {
				check(prm.GoName)
				keep("parameter "+op.ID+" "+prm.Name, prm.GoName, v)
			}
			for _, h := range op.Result.Headers {
				check(h.GoName)
			}
		}
		for _, ty := range p.Types {
			check(ty.Name)
			for _, f := range ty.Fields {
				check(f.GoName)
				keep("field "+ty.Name+" "+f.JSONName, f.GoName, v)
			}
			for i, c := range consts[ty] {
				check(c)
				keep("value "+ty.Name+" "+ty.Enum[i], c, v)
			}
		}
	}
	for _, key := range sortedKeys(same) {
		if len(same[key]) > 1 {
			var forms []string
			for name, vs := range same[key] {
				forms = append(forms, fmt.Sprintf("%s (v1.%d-v1.%d)", name, vs[0], vs[len(vs)-1]))
			}
			sort.Strings(forms)
			bad["a name that changes between versions"] = append(bad["a name that changes between versions"], key+": "+strings.Join(forms, ", "))
		}
	}
	for _, problem := range sortedKeys(bad) {
		names := bad[problem]
		sort.Strings(names)
		names = compactStrings(names)
		t.Errorf("%d names with %s:\n\t%s", len(names), problem, strings.Join(names, "\n\t"))
	}
}

func compactStrings(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestOneTypePerThing fails when an operation's result or parameter, or a
// field, refers to a differently named type in some versions: an inline
// schema of an older spec that a newer one names (EventMessage.Actor is
// EventActor) must carry that name everywhere (specs/fixes.yaml, extract
// or rename). The exceptions are places where the spec put a different
// thing, not a new name.
func TestOneTypePerThing(t *testing.T) {
	m, err := Load("../specs")
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string]bool{
		"field ImageInspect.Config":      true, // ContainerConfig, then the smaller ImageConfig (1.39)
		"field TaskSpecResources.Limits": true, // ResourceObject, then Limit (1.41, with Pids)
		"result NetworkInspect":          true, // Network, then NetworkInspect (1.52)
		"result NetworkList":             true, // Network, then NetworkSummary (1.52)
	}
	seen := map[string]map[string][]int{}
	named := func(p *Package, t GoType) string {
		for _, n := range t.localNames() {
			if _, ok := p.Types[n]; ok {
				return n
			}
		}
		return ""
	}
	record := func(key string, p *Package, t GoType) {
		name := named(p, t)
		if name == "" || changed[key] {
			return
		}
		if seen[key] == nil {
			seen[key] = map[string][]int{}
		}
		seen[key][name] = append(seen[key][name], p.Version.Minor)
	}
	for _, p := range m.Pkgs {
		for _, op := range p.Ops {
			record("result "+op.ID, p, op.Result.GoType)
			for _, prm := range op.Params {
				record("parameter "+op.ID+"."+prm.Name, p, prm.GoType)
			}
		}
		for _, ty := range p.Types {
			for _, f := range ty.Fields {
				record("field "+ty.Name+"."+f.JSONName, p, f.GoType)
			}
		}
	}
	for _, key := range sortedKeys(seen) {
		if len(seen[key]) < 2 {
			continue
		}
		var forms []string
		for name, vs := range seen[key] {
			forms = append(forms, fmt.Sprintf("%s (v1.%d-v1.%d)", name, vs[0], vs[len(vs)-1]))
		}
		sort.Strings(forms)
		t.Errorf("%s refers to %s", key, strings.Join(forms, ", "))
	}
}
