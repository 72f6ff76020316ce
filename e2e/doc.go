// Package e2e holds the SDK's end-to-end tests: every version package the
// test daemon accepts (v125 ... v141 against dockerd 20.10) is driven through
// the same lifecycle against a real Docker daemon (see internal/testdaemon):
// system, images, containers, logs, exec, attach, archives, volumes,
// networks, events and, one version at a time, a single-node swarm.
//
// Each version package has its own types, so the lifecycle is written once,
// as the template lifecycle.go.tmpl, and stamped into one test file per
// version (v1NN_lifecycle_gen_test.go) by internal/stamp:
//
//	go generate ./e2e/
//
// Run the suite with `go test ./e2e/` (add -v to see the summary line
// "e2e: N of 17 versions passed"). Without a daemon the tests skip and say
// why; DOCKERSDK_REQUIRE_DAEMON=1 turns that into a failure.
package e2e

//go:generate go run ./internal/stamp
