package gen

import (
	"runtime"
	"strings"
	"sync"
)

// IsGenerated says whether a file name is one gen writes.
func IsGenerated(name string) bool {
	return strings.HasSuffix(name, "_gen.go") || strings.HasSuffix(name, "_gen_test.go")
}

// RenderAll renders every file gen produces, in a fixed order.
func (m *Model) RenderAll() ([]File, error) {
	per := make([][]File, len(m.Pkgs))
	errs := make([]error, len(m.Pkgs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range m.Pkgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			per[i], errs[i] = m.RenderPackage(p)
		}()
	}
	wg.Wait()
	var files []File
	for i := range per {
		if errs[i] != nil {
			return nil, errs[i]
		}
		files = append(files, per[i]...)
	}
	table, err := m.RenderOpTable()
	if err != nil {
		return nil, err
	}
	versions, err := m.RenderVersions()
	if err != nil {
		return nil, err
	}
	files = append(files, table, versions)
	tables, err := m.RenderSpecTables()
	if err != nil {
		return nil, err
	}
	files = append(files, tables...)
	files = append(files, m.RenderDocs()...)
	return files, nil
}
