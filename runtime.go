package docker

import (
	"context"
	"fmt"
	"net/http"

	"github.com/dockerclient/docker/internal/gensupport"
)

// request is the description of one call that generated code builds.
type request = gensupport.Request

func newRequest(op, apiVersion, method, path string) *request {
	return gensupport.NewRequest(op, apiVersion, method, path)
}

// The version packages reach a Client's runtime through gensupport, so that
// none of the plumbing is part of this package's API.
func init() {
	gensupport.SetRuntimeOf(func(c any) gensupport.Runtime { return (*clientRuntime)(c.(*Client)) })
}

// clientRuntime is a Client as generated code sees it.
type clientRuntime Client

func (rt *clientRuntime) JSON(ctx context.Context, r *request, out any) error {
	return (*Client)(rt).doJSON(ctx, r, out)
}

func (rt *clientRuntime) NoContent(ctx context.Context, r *request) error {
	return (*Client)(rt).doNoContent(ctx, r)
}

func (rt *clientRuntime) Text(ctx context.Context, r *request) (string, error) {
	return (*Client)(rt).doText(ctx, r)
}

func (rt *clientRuntime) Headers(ctx context.Context, r *request) (http.Header, error) {
	return (*Client)(rt).doHeaders(ctx, r)
}

func (rt *clientRuntime) Open(ctx context.Context, r *request, into any) error {
	return (*Client)(rt).open(ctx, r, into)
}

// responseOpener is a stream type that reads a response: Stream, Output,
// JSONStream[T].
type responseOpener interface {
	open(resp *http.Response, op string)
}

// open sends r and makes into, a stream the caller allocated, read the
// answer.
func (c *Client) open(ctx context.Context, r *request, into any) error {
	switch dst := into.(type) {
	case *HijackedConn:
		return c.hijack(ctx, r, dst)
	case *WebSocketConn:
		return c.websocket(ctx, r, dst)
	case responseOpener:
		resp, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		dst.open(resp, r.Op)
		return nil
	}
	return fmt.Errorf("docker: %s: cannot read a response into %T", r.Op, into)
}
