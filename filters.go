package docker

import "sort"

// Filters narrow list, prune and events operations: each key is a filter
// name, each value a set of accepted values, e.g.
//
//	docker.Filters{"status": {"running"}, "label": {"app=web"}}
//
// The daemon reads them as JSON in the `filters` query parameter; the SDK
// encodes them, so callers never write JSON by hand.
type Filters map[string][]string

// Add appends values to the filter name and returns f, so that calls chain.
// A nil Filters is allocated.
func (f Filters) Add(name string, values ...string) Filters {
	if f == nil {
		f = Filters{}
	}
	f[name] = append(f[name], values...)
	return f
}

// Names returns the filter names in sorted order.
func (f Filters) Names() []string {
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Platform selects an image variant where an operation takes a JSON-encoded
// OCI platform (ImageInspect, ImageLoad, ImageSave, ... in newer versions).
type Platform struct {
	Architecture string   `json:"architecture,omitempty"`
	OS           string   `json:"os,omitempty"`
	OSVersion    string   `json:"os.version,omitempty"`
	OSFeatures   []string `json:"os.features,omitempty"`
	Variant      string   `json:"variant,omitempty"`
}

// BuildOutput is one entry of ImageBuild's `outputs`: a BuildKit exporter
// and its attributes.
type BuildOutput struct {
	Type  string            `json:"Type"`
	Attrs map[string]string `json:"Attrs,omitempty"`
}
