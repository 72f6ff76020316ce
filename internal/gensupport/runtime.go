// Package gensupport is the plumbing that the generated version packages
// call: the Request they describe a call with, and the Runtime that sends
// it. It is internal so that package docker's documentation shows what
// users meet, not what generated code needs.
package gensupport

import (
	"context"
	"net/http"
)

// Runtime sends Requests. *docker.Client provides it; generated code gets
// it with RuntimeOf.
type Runtime interface {
	// JSON decodes a JSON response into out (unless out is nil).
	JSON(ctx context.Context, r *Request, out any) error
	// NoContent discards the response body.
	NoContent(ctx context.Context, r *Request) error
	// Text returns a text/plain response.
	Text(ctx context.Context, r *Request) (string, error)
	// Headers returns the response headers, discarding the body.
	Headers(ctx context.Context, r *Request) (http.Header, error)
	// Open sends r and hands the response to into, one of package
	// docker's stream types (*docker.Stream, *docker.Output,
	// *docker.JSONStream[T], *docker.HijackedConn, *docker.WebSocketConn),
	// which the caller allocated.
	Open(ctx context.Context, r *Request, into any) error
}

// runtimeOf is set once, by package docker's init, which every package that
// calls RuntimeOf imports.
var runtimeOf func(client any) Runtime

// SetRuntimeOf is how package docker provides RuntimeOf.
func SetRuntimeOf(f func(client any) Runtime) { runtimeOf = f }

// RuntimeOf returns the Runtime of a *docker.Client.
func RuntimeOf(client any) Runtime { return runtimeOf(client) }
