package dockertest

import (
	"os"
	"testing"

	"github.com/dockerclient/docker/internal/leakcheck"
)

func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }
