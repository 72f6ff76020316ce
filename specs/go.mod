// The specs live in their own module so that they do not ride along in the
// SDK's module zip: `go get` of the SDK never downloads them.
module github.com/dockerclient/docker/specs

go 1.24
