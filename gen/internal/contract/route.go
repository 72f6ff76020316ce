package contract

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/go-openapi/spec"
)

// route is one operation: a method on a path template.
type route struct {
	method   string
	template string    // /containers/{id}/json
	segs     []segment // the template split at slashes
	literals int       // how many segments are literal, to rank matches
	op       *spec.Operation
	params   []spec.Parameter // the path's and the operation's
	stream   string           // x-sdk-stream: json, output, hijack, binary or ""
}

type segment struct {
	lit   string // a literal segment, or
	param string // the name of a {param}
}

func methodsOf(pi spec.PathItem) map[string]*spec.Operation {
	return map[string]*spec.Operation{
		http.MethodGet: pi.Get, http.MethodPost: pi.Post, http.MethodPut: pi.Put,
		http.MethodDelete: pi.Delete, http.MethodHead: pi.Head, http.MethodPatch: pi.Patch,
		http.MethodOptions: pi.Options,
	}
}

// buildRoutes lists every operation of the spec in a stable order.
func buildRoutes(sw *spec.Swagger) []*route {
	var routes []*route
	if sw.Paths == nil {
		return nil
	}
	for tpl, pi := range sw.Paths.Paths {
		for method, op := range methodsOf(pi) {
			if op == nil {
				continue
			}
			rt := &route{method: method, template: tpl, op: op}
			for _, s := range strings.Split(strings.Trim(tpl, "/"), "/") {
				if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
					rt.segs = append(rt.segs, segment{param: s[1 : len(s)-1]})
				} else {
					rt.segs = append(rt.segs, segment{lit: s})
					rt.literals++
				}
			}
			// Operation parameters override path-level ones of the same name.
			seen := map[string]bool{}
			for _, p := range op.Parameters {
				seen[p.In+" "+p.Name] = true
				rt.params = append(rt.params, p)
			}
			for _, p := range pi.Parameters {
				if !seen[p.In+" "+p.Name] {
					rt.params = append(rt.params, p)
				}
			}
			rt.stream, _ = extString(op.Extensions, "x-sdk-stream")
			routes = append(routes, rt)
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].template != routes[j].template {
			return routes[i].template < routes[j].template
		}
		return routes[i].method < routes[j].method
	})
	return routes
}

// extString reads a string vendor extension whatever its key's case.
func extString(e spec.Extensions, key string) (string, bool) {
	for k, v := range e {
		if strings.EqualFold(k, key) {
			s, ok := v.(string)
			return s, ok
		}
	}
	return "", false
}

func extBool(e spec.Extensions, key string) bool {
	for k, v := range e {
		if strings.EqualFold(k, key) {
			b, _ := v.(bool)
			return b
		}
	}
	return false
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
