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
//   - the values that parameters take across versions: Filters, Platform,
//     AuthConfig (sent base64url-encoded, never printed) and the registry
//     credentials of the docker CLI's configuration (ResolveCredentials);
//   - one error type for every version (Error, IsNotFound, IsConflict, ...);
//   - stream types: Output (stdout/stderr, multiplexed or TTY), JSONStream
//     (progress, events, stats), Stream (tar archives) and HijackedConn
//     (attach and exec with stdin and half-close);
//   - Call, which invokes any operation by its operationId with arguments
//     checked against the chosen version's spec, as the Perl Docker::Client
//     that this SDK descends from did.
//
// Requests go through net/http (unix sockets and named pipes included) and
// are decoded with encoding/json as the body arrives. What the daemon says is
// never trusted further than it must be: response heads are limited to
// 1 MiB, an empty or cut-short answer is an error, and a message put in an
// error is capped, stripped of control characters and of any credential the
// request carried.
//
// The package links nothing but the Go standard library.
package docker

//go:generate go run -C cmd/gen . -root ../..
