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

// argError reports the first bad argument of r as a *ParamError, or nil.
func argError(r *request) error {
	if e := r.Err(); e != nil {
		return &ParamError{Op: r.Op, Param: e.Param, Msg: e.Msg}
	}
	return nil
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
	tty, err := c.learnTTY(ctx, r)
	if err != nil {
		return err
	}
	switch dst := into.(type) {
	case *HijackedConn:
		if err := c.hijack(ctx, r, dst); err != nil {
			return err
		}
		dst.TTY = tty
		return nil
	case *WebSocketConn:
		return c.websocket(ctx, r, dst)
	case responseOpener:
		resp, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		dst.open(resp, r.Op)
		if o, ok := dst.(*Output); ok {
			o.TTY = o.TTY || tty
		}
		return nil
	}
	return fmt.Errorf("docker: %s: cannot read a response into %T", r.Op, into)
}

// learnTTY tells, before API 1.42, whether the output of a ContainerAttach,
// ContainerLogs, ServiceLogs or TaskLogs call will be raw (a TTY) or
// multiplexed: the daemon decides by the container's TTY but says so in the
// content type only from 1.42. One inspect asks; guessing from the bytes
// loses output that happens to look like a frame header.
func (c *Client) learnTTY(ctx context.Context, r *request) (bool, error) {
	if trustsRawType(r.APIVersion) {
		return false, nil
	}
	var path string
	switch r.Op {
	case "ContainerAttach", "ContainerLogs":
		path = "/containers/{id}/json"
	case "ServiceLogs":
		path = "/services/{id}"
	case "TaskLogs":
		path = "/tasks/{id}"
	default:
		return false, nil
	}
	id, ok := r.PathValue("id")
	if !ok || r.Err() != nil {
		return false, nil // the call itself reports the bad argument
	}
	var v struct {
		Config struct{ Tty bool } // containers
		Spec   struct {
			TaskTemplate  struct{ ContainerSpec struct{ TTY bool } } // services
			ContainerSpec struct{ TTY bool }                         // tasks
		}
	}
	q := newRequest(r.Op, r.APIVersion, "GET", path)
	q.PathParam("id", id)
	if err := c.doJSON(ctx, q, &v); err != nil {
		return false, fmt.Errorf("docker: %s: learning whether %s has a TTY, which API %s does not say: %w", r.Op, id, r.APIVersion, err)
	}
	return v.Config.Tty || v.Spec.TaskTemplate.ContainerSpec.TTY || v.Spec.ContainerSpec.TTY, nil
}
