package leakcheck

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestLeakedSeesAStrayGoroutine(t *testing.T) {
	release := make(chan struct{})
	go strayGoroutine(release)
	found := false
	for i := 0; i < 100 && !found; i++ {
		for _, g := range Leaked() {
			found = found || strings.Contains(g, "strayGoroutine")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if !found {
		t.Fatal("a goroutine blocked on a channel was not reported")
	}
}

func strayGoroutine(release chan struct{}) { <-release }
