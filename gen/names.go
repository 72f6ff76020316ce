package gen

import (
	_ "embed"
	"strings"
	"unicode"
)

// words.txt lists the words of Docker's spec names, one a line: a word
// that is not in it but is made of words that are (buildargs, cpusetcpus)
// is split. TestGoNames fails on a name with a word it lacks.
//
//go:embed words.txt
var wordsFile string

var knownWords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(wordsFile, "\n") {
		if w, _, _ := strings.Cut(line, "#"); strings.TrimSpace(w) != "" {
			m[strings.TrimSpace(w)] = true
		}
	}
	return m
}()

// initialisms are written in capitals in Go names, as Go style asks
// (ContainerSummary.Id becomes ID, PortType "tcp" becomes PortTypeTCP). The
// JSON name is unchanged.
var initialisms = map[string]string{
	"id": "ID", "ids": "IDs", "ip": "IP", "ips": "IPs", "url": "URL", "urls": "URLs", "uri": "URI", "api": "API",
	"cpu": "CPU", "cpus": "CPUs", "dns": "DNS", "tls": "TLS", "os": "OS", "uid": "UID", "gid": "GID",
	"ipam": "IPAM", "http": "HTTP", "https": "HTTPS", "json": "JSON", "tty": "TTY", "ttl": "TTL",
	"mtu": "MTU", "sha": "SHA", "sha1": "SHA1", "cidr": "CIDR", "ca": "CA",
	"tcp": "TCP", "udp": "UDP", "sctp": "SCTP", "vip": "VIP", "dnsrr": "DNSRR", "mac": "MAC",
	"oom": "OOM", "pid": "PID", "pids": "PIDs", "ipc": "IPC", "uts": "UTS", "io": "IO",
	"ipv4": "IPv4", "ipv6": "IPv6", "cfssl": "CFSSL", "ssh": "SSH", "gpu": "GPU", "oci": "OCI", "cdi": "CDI", "nri": "NRI",
}

// wordForms spell words that neither capitalizing nor splitting gets right:
// a name the daemon's own Go types or the docker CLI give the parameter
// (memswap is HostConfig's MemorySwap; forcerm is --force-rm).
var wordForms = map[string]string{
	"memswap": "MemorySwap",
	"rm":      "Remove",
	"forcerm": "ForceRemove",
	"hyperv":  "HyperV",
}

// splitWords splits a spec name into words at case changes and at any
// character that cannot be part of a Go identifier.
func splitWords(s string) []string {
	var words []string
	var cur []rune
	rs := []rune(s)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			// The plural of an initialism stays one word: IDs, CPUs, CIDRs.
			plural := i+1 < len(rs) && rs[i+1] == 's' && (i+2 == len(rs) || !unicode.IsLower(rs[i+2]))
			ipv := prev == 'I' && r == 'P' && i+1 < len(rs) && rs[i+1] == 'v' // IPv4, IPv6
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower && !plural && !ipv) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// exportedName turns a spec name (property, parameter, enum value) into an
// exported Go identifier.
func exportedName(s string) string {
	out := goWords(s)
	if out == "" {
		return "Empty"
	}
	if unicode.IsDigit(rune(out[0])) {
		out = "N" + out
	}
	return out
}

// goWords spells the words of a spec name the Go way: initialisms in
// capitals, words the spec runs together split (buildargs is BuildArgs),
// every word capitalized.
func goWords(s string) string {
	var b strings.Builder
	for _, w := range splitWords(s) {
		b.WriteString(goWord(w))
	}
	return b.String()
}

// goWord spells one word of a spec name.
func goWord(w string) string {
	lw := strings.ToLower(w)
	plain := w == lw || w == capitalize(lw) // not a mixed-case word such as IPv4
	if f, ok := wordForms[lw]; ok && plain {
		return f
	}
	if up, ok := initialisms[lw]; ok && (plain || w == up) {
		return up
	}
	if plain && !knownWords[lw] {
		if parts := segment(lw); len(parts) > 1 {
			var b strings.Builder
			for _, p := range parts {
				b.WriteString(goWord(p))
			}
			return b.String()
		}
	}
	return capitalize(w)
}

// segment splits a run-together lower-case word into known words (the
// fewest that cover it), or returns nil when it cannot: "cpusetcpus" is
// cpu, set, cpus. Short words are left alone.
func segment(w string) []string {
	if len(w) < 6 {
		return nil
	}
	known := func(p string) bool {
		_, init := initialisms[p]
		_, form := wordForms[p]
		return (knownWords[p] && len(p) > 1) || init || form
	}
	// best[i] is the fewest words covering w[:i]; from[i] where the last starts.
	best := make([]int, len(w)+1)
	from := make([]int, len(w)+1)
	for i := 1; i <= len(w); i++ {
		best[i] = -1
		for j := 0; j < i; j++ {
			if best[j] < 0 && j > 0 || !known(w[j:i]) {
				continue
			}
			if n := best[j] + 1; best[i] < 0 || n < best[i] {
				best[i], from[i] = n, j
			}
		}
	}
	if best[len(w)] < 0 {
		return nil
	}
	var parts []string
	for i := len(w); i > 0; i = from[i] {
		parts = append([]string{w[from[i]:i]}, parts...)
	}
	return parts
}

// typeName turns a definition name into a Go type name: its words, spelled
// as exportedName spells them (IdResponse and IDResponse are both
// IDResponse).
func typeName(s string) string {
	out := goWords(s)
	if out == "" || unicode.IsDigit(rune(out[0])) {
		out = "T" + out
	}
	return out
}

// unexportedName is for path parameters, which become method arguments.
func unexportedName(s string) string {
	e := exportedName(s)
	words := splitWords(e)
	if len(words) == 0 {
		return "arg"
	}
	first := words[0]
	if up, ok := initialisms[strings.ToLower(first)]; ok && first == up {
		first = strings.ToLower(first)
	} else {
		first = strings.ToLower(first[:1]) + first[1:]
	}
	out := first + strings.TrimPrefix(e, words[0])
	if goKeywords[out] {
		out += "_"
	}
	return out
}

var goKeywords = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "else": true, "fallthrough": true, "for": true, "func": true, "go": true, "goto": true,
	"if": true, "import": true, "interface": true, "map": true, "package": true, "range": true,
	"return": true, "select": true, "struct": true, "switch": true, "type": true, "var": true,
	"ctx": true, "opts": true, "c": true, "r": true, "err": true, "resp": true, "out": true,
}

func capitalize(w string) string {
	if w == "" {
		return w
	}
	rs := []rune(w)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}
