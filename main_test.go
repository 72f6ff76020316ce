package docker_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/dockerclient/docker/internal/leakcheck"
	"github.com/dockerclient/docker/internal/testdaemon"
)

// TestMain points the examples (which connect with docker.NewFromEnv, as a
// user's program would) at the test daemon, skips them with the reason when
// there is none, and fails the binary when goroutines outlive the tests.
func TestMain(m *testing.M) {
	flag.Parse()
	if host, err := testdaemon.Start(); err != nil {
		if os.Getenv(testdaemon.EnvRequire) == "1" {
			fmt.Fprintf(os.Stderr, "no test daemon, and %s=1 requires one: %v\n", testdaemon.EnvRequire, err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "skipping the examples, which run against a daemon: %v\n", err)
		flag.Set("test.skip", "^Example")
	} else {
		os.Setenv("DOCKER_HOST", host)
		os.Unsetenv("DOCKER_CONTEXT")
		os.Unsetenv("DOCKER_TLS_VERIFY")
	}
	os.Exit(leakcheck.Main(m))
}
