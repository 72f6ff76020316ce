package docker

import (
	"context"
	"net/http"

	"github.com/dockerclient/docker/internal/gensupport"
)

// The plumbing under the names the tests use; none of it is in the
// package's API.

func NewRequest(op, apiVersion, method, path string) *gensupport.Request {
	return newRequest(op, apiVersion, method, path)
}

func NewStream(resp *http.Response) *Stream { s := new(Stream); s.open(resp, ""); return s }

func NewOutput(resp *http.Response) *Output { o := new(Output); o.open(resp, ""); return o }

func NewJSONStream[T any](resp *http.Response, op string) *JSONStream[T] {
	s := new(JSONStream[T])
	s.open(resp, op)
	return s
}

func (c *Client) Do(ctx context.Context, r *request) (*http.Response, error) { return c.do(ctx, r) }

func (c *Client) DoJSON(ctx context.Context, r *request, out any) error { return c.doJSON(ctx, r, out) }

func (c *Client) DoNoContent(ctx context.Context, r *request) error { return c.doNoContent(ctx, r) }

func (c *Client) DoText(ctx context.Context, r *request) (string, error) { return c.doText(ctx, r) }

func (c *Client) DoHeaders(ctx context.Context, r *request) (http.Header, error) {
	return c.doHeaders(ctx, r)
}

func (c *Client) Hijack(ctx context.Context, r *request) (*HijackedConn, error) {
	h := new(HijackedConn)
	if err := c.hijack(ctx, r, h); err != nil {
		return nil, err
	}
	return h, nil
}

func (c *Client) WebSocket(ctx context.Context, r *request) (*WebSocketConn, error) {
	ws := new(WebSocketConn)
	if err := c.websocket(ctx, r, ws); err != nil {
		return nil, err
	}
	return ws, nil
}
