// Package buildkit builds images with BuildKit, the daemon's builder since
// Docker 23, with nothing but the standard library: RUN
// --mount=type=secret, type=ssh and type=cache, parallel stages, and
// BuildKit's progress, which the classic builder of ImageBuild lacks.
//
//	tar, err := buildcontext.Dir("./app")  // honours .dockerignore
//	...
//	id, err := buildkit.Build(ctx, c, buildkit.Config{
//		Context: tar,
//		Tags:    []string{"app:dev"},
//		Secrets: []buildkit.Secret{{ID: "npmrc", File: os.ExpandEnv("$HOME/.npmrc")}},
//		Progress: buildkit.NewPrinter(os.Stderr, nil).Update, // plain lines
//	})
//
// A build is two requests. POST /session is upgraded to HTTP/2 and turned
// around: on it the daemon is a gRPC client and this package serves it
// (with net/http's own HTTP/2 server) the health checks, the registry
// credentials it asks for while pulling base images (the docker CLI's, by
// default), the secrets and the SSH agents given in Config, and takes the
// result as a tar stream when Config.Output asks for it. Then POST
// /build?version=2 names the session and sends the context as a tar
// stream; its answer carries the progress as BuildKit's protobuf
// StatusResponse, decoded here into Status values, and the image's ID. A
// failed step is a *BuildError with its name, exit code and last lines of
// output. Cancelling the context stops the build on the daemon and closes
// the session; Build returns once the session's server and handlers have.
//
// The package calls the API by operationId, so it links no version
// package. It needs API 1.38 or later on a Linux daemon with BuildKit:
// Docker 18.09 and later (18.06 in experimental mode). Podman has none
// (its builds are Buildah's): Start and Build say so with ErrNoBuildKit
// before anything is built, as they do when a daemon has no /session.
package buildkit
