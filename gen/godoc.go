package gen

import (
	"regexp"
	"strings"
)

var (
	mdLink     = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	mdHeading  = regexp.MustCompile(`^#{1,6}\s+(.*)$`)
	mdBullet   = regexp.MustCompile(`^(\s*)[-*+]\s+(.*)$`)
	mdNumbered = regexp.MustCompile(`^(\s*)(\d+)[.)]\s+(.*)$`)
	mdSpacer   = strings.NewReplacer("<p><br /></p>", "", "<br />", "", "<br/>", "", "<br>", "", "<p>", "", "</p>", "", "**", "")
)

// goDoc turns the Markdown of Docker's spec descriptions into Go doc
// comment text (go.dev/doc/comment): fenced code becomes indented code,
// lists are indented, headings keep one #, links become their text (the
// address in parentheses when it leads elsewhere than the API reference
// itself), and HTML spacers go.
func goDoc(md string) string {
	var out []string
	blank := func() {
		if len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
	}
	inFence, inList := false, false
	for _, line := range strings.Split(strings.TrimSpace(md), "\n") {
		line = strings.TrimRight(line, " \t\r")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			blank()
			inFence, inList = !inFence, false
			continue
		}
		if inFence {
			if trimmed == "" {
				out = append(out, "")
			} else {
				out = append(out, "\t"+line)
			}
			continue
		}
		if strings.HasPrefix(trimmed, "|") {
			// A Markdown table: kept as preformatted text.
			if !inList && len(out) > 0 && !strings.HasPrefix(out[len(out)-1], "\t") {
				blank()
			}
			out = append(out, "\t"+trimmed)
			continue
		}
		line = mdSpacer.Replace(line)
		line = mdLink.ReplaceAllStringFunc(line, func(m string) string {
			s := mdLink.FindStringSubmatch(m)
			if strings.HasPrefix(s[2], "#") || strings.HasPrefix(s[2], "/") {
				return s[1]
			}
			return s[1] + " (" + s[2] + ")"
		})
		trimmed = strings.TrimSpace(line)
		switch {
		case trimmed == "":
			inList = false
			if len(out) > 0 && strings.HasPrefix(out[len(out)-1], "\t") {
				out = append(out, "") // after a table
			}
			blank()
		case mdHeading.MatchString(trimmed):
			blank()
			out = append(out, "# "+mdHeading.FindStringSubmatch(trimmed)[1], "")
			inList = false
		case mdBullet.MatchString(line):
			m := mdBullet.FindStringSubmatch(line)
			if !inList {
				blank()
			}
			out = append(out, "  "+m[1]+"- "+m[2])
			inList = true
		case mdNumbered.MatchString(line):
			m := mdNumbered.FindStringSubmatch(line)
			if !inList {
				blank()
			}
			out = append(out, "  "+m[1]+m[2]+". "+m[3])
			inList = true
		case inList:
			out = append(out, "    "+trimmed) // a list item's next line
		default:
			if len(out) > 0 && strings.HasPrefix(out[len(out)-1], "\t") {
				out = append(out, "")
			}
			out = append(out, trimmed)
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
