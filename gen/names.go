package gen

import (
	"strings"
	"unicode"
)

// initialisms are written in capitals in Go names, as Go style asks
// (ContainerSummary.Id becomes ID). The JSON name is unchanged.
var initialisms = map[string]string{
	"id": "ID", "ids": "IDs", "ip": "IP", "ips": "IPs", "url": "URL", "uri": "URI", "api": "API",
	"cpu": "CPU", "dns": "DNS", "tls": "TLS", "os": "OS", "uid": "UID", "gid": "GID",
	"ipam": "IPAM", "http": "HTTP", "json": "JSON", "tty": "TTY", "ttl": "TTL",
	"mtu": "MTU", "sha": "SHA", "cidr": "CIDR", "ca": "CA",
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
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
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
	var b strings.Builder
	for _, w := range splitWords(s) {
		if up, ok := initialisms[strings.ToLower(w)]; ok && (w == strings.ToLower(w) || w == capitalize(strings.ToLower(w)) || w == up) {
			b.WriteString(up)
			continue
		}
		b.WriteString(capitalize(w))
	}
	out := b.String()
	if out == "" {
		return "Empty"
	}
	if unicode.IsDigit(rune(out[0])) {
		out = "N" + out
	}
	return out
}

// typeName turns a definition name into a Go type name, keeping its
// spelling (definitions are already Go-like) but making it exported and
// valid.
func typeName(s string) string {
	var b strings.Builder
	for _, w := range splitWords(s) {
		b.WriteString(capitalize(w))
	}
	out := b.String()
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
