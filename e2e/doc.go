// Package e2e holds the SDK's end-to-end tests: every version package (v125
// to the newest) that the daemon under test serves is driven through the
// same lifecycle against a real daemon (see internal/testdaemon; make
// e2e-matrix runs the suite against dockerd 20.10, Docker 28 and 29 and
// Podman):
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
// "e2e: N of M versions the daemon serves passed (dockerd 20.10.24, API
// 1.12-1.41)"). The daemon's range comes from the daemon: the versions it
// does not serve skip and say so. Without a daemon the tests skip and say
// why; DOCKERSDK_REQUIRE_DAEMON=1 turns that into a failure.
package e2e

//go:generate go run ./internal/stamp
