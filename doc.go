// Package docker is the shared core of a typed Go SDK for the Docker Engine
// API, generated from Docker's own Swagger specs for every API version from
// v1.25 to v1.56.
//
// Each API version has its own package (v125 ... v156) with typed models and
// one method per operation, named by the spec's operationId. Every version
// package is a thin layer over this package, which carries what they share:
//
//   - a Client that connects (through package dialer), learns which API
//     versions the daemon speaks, and checks a pinned version on first use;
//   - request building and query encoding (Filters and the other
//     JSON-encoded parameters), registry authentication headers;
//   - one error type for every version (Error, IsNotFound, IsConflict, ...);
//   - stream types: Output (stdout/stderr, multiplexed or TTY), JSONStream
//     (progress, events, stats), Stream (tar archives) and HijackedConn
//     (attach and exec with stdin and half-close);
//   - Call, which invokes any operation by its operationId with arguments
//     checked against the chosen version's spec, as the Perl Docker::Client
//     that this SDK descends from did.
//
// The package links nothing but the Go standard library.
package docker

//go:generate go run -C cmd/gen . -root ../..
