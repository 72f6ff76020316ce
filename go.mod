module github.com/dockerclient/docker

// The SDK links only the standard library. The generator and its tests,
// which need go-openapi, live in their own modules (gen/, cmd/gen/), so
// that nothing of theirs enters a user's build.
go 1.24
