package dockertest

import (
	"net/url"
	"strings"

	"github.com/dockerclient/docker/internal/apispec"
)

// route is one operation: a method on a path template.
type route struct {
	method   string
	template string    // /containers/{id}/json
	segs     []segment // the template split at slashes
	literals int       // how many segments are literal, to rank matches
	op       *apispec.Operation
	stream   string // x-sdk-stream: json, output, hijack, websocket, binary or ""
}

type segment struct {
	lit   string // a literal segment, or
	param string // the name of a {param}
}

// buildRoutes lists every operation of the spec, in the spec's order (by
// path, then method).
func buildRoutes(sp *apispec.Spec) []*route {
	var routes []*route
	for _, op := range sp.Ops {
		rt := &route{method: op.Method, template: op.Path, op: op, stream: op.Stream}
		for _, s := range strings.Split(strings.Trim(op.Path, "/"), "/") {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				rt.segs = append(rt.segs, segment{param: s[1 : len(s)-1]})
			} else {
				rt.segs = append(rt.segs, segment{lit: s})
				rt.literals++
			}
		}
		routes = append(routes, rt)
	}
	return routes
}

// splitPath splits an escaped path at its slashes and unescapes each
// segment, so that a client escaping a slash as %2F keeps it inside one
// segment while one sending it raw spreads a name over several.
func splitPath(escaped string) ([]string, bool) {
	parts := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}

// matchExact matches one path segment per template segment.
func (rt *route) matchExact(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, s := range rt.segs {
		if s.param == "" {
			if segs[i] != s.lit {
				return nil, false
			}
			continue
		}
		if segs[i] == "" {
			return nil, false
		}
		params[s.param] = segs[i]
	}
	return params, true
}

// matchGreedy lets a {param} span several segments (joined with slashes),
// as the daemon's router does for image and plugin names such as
// "registry:5000/team/app:tag".
func (rt *route) matchGreedy(segs []string) (map[string]string, bool) {
	params := map[string]string{}
	var walk func(ti, si int) bool
	walk = func(ti, si int) bool {
		if ti == len(rt.segs) {
			return si == len(segs)
		}
		s := rt.segs[ti]
		if s.param == "" {
			return si < len(segs) && segs[si] == s.lit && walk(ti+1, si+1)
		}
		// Leave at least one segment for each remaining template segment.
		for end := si + 1; end <= len(segs)-(len(rt.segs)-ti-1); end++ {
			if segs[end-1] == "" {
				break // a value never has an empty segment
			}
			if walk(ti+1, end) {
				params[s.param] = strings.Join(segs[si:end], "/")
				return true
			}
		}
		return false
	}
	if !walk(0, 0) {
		return nil, false
	}
	return params, true
}

type matcher func(*route, []string) (map[string]string, bool)

var matchers = []matcher{(*route).matchExact, (*route).matchGreedy}

// match finds the operation for a method and an unversioned path. Exact
// templates win over greedy ones, and among either the template with the
// most literal segments wins: GET /images/json is ImageList, not an inspect
// of an image named "json", and GET /images/a/b/json inspects "a/b". When
// only another method fits, allowed lists the methods the path declares.
func match(routes []*route, method, escapedPath string) (rt *route, params map[string]string, allowed []string) {
	segs, ok := splitPath(escapedPath)
	if !ok {
		return nil, nil, nil
	}
	for _, m := range matchers {
		if r, p := bestMatch(routes, segs, m, method); r != nil {
			return r, p, nil
		}
	}
	for _, m := range matchers {
		if r, _ := bestMatch(routes, segs, m, ""); r != nil {
			for _, o := range routes {
				if o.template == r.template {
					allowed = append(allowed, o.method) // sorted: routes are
				}
			}
			return nil, nil, allowed
		}
	}
	return nil, nil, nil
}

// bestMatch returns the route of that method ("" for any) with the most
// literal segments that m matches.
func bestMatch(routes []*route, segs []string, m matcher, method string) (*route, map[string]string) {
	var best *route
	var params map[string]string
	for _, r := range routes {
		if method != "" && r.method != method {
			continue
		}
		if p, ok := m(r, segs); ok && (best == nil || r.literals > best.literals) {
			best, params = r, p
		}
	}
	return best, params
}
