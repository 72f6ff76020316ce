package docker

import "github.com/dockerclient/docker/internal/jsonwire"

// BuildResult is the result an ImageBuild stream carries in an aux message:
// the built image's ID, from the classic builder and from BuildKit (whose
// message has the id "moby.image.id") alike.
type BuildResult struct {
	ID string `json:"ID"`
}

// PushResult is the result an ImagePush stream carries in an aux message.
type PushResult struct {
	Tag    string `json:"Tag"`
	Digest string `json:"Digest"` // e.g. "sha256:..."
	Size   int64  `json:"Size"`
}

// DecodeAux decodes the message's aux value into v. It reports false when
// the message has none, and an error when the value does not fit v (a
// BuildKit trace, say, which is a base64 string).
func (m *JSONMessage) DecodeAux(v any) (bool, error) {
	if len(m.Aux) == 0 || string(m.Aux) == "null" {
		return false, nil
	}
	return true, jsonwire.Unmarshal(m.Aux, v)
}

// StreamResult reads a progress stream to its end, handing each message to
// progress when it is not nil, closes it, and returns the result the daemon
// put in its last aux message of R's shape: a build's image ID, a push's
// digest.
//
//	stream, err := api.ImageBuild(ctx, opts)
//	...
//	res, err := docker.StreamResult[docker.BuildResult](stream, nil)
//	fmt.Println("built", res.ID)
//
// A stream that ends without such a message is an error, as is one that
// reports a failure.
func StreamResult[R any](s *JSONStream[JSONMessage], progress func(JSONMessage)) (R, error) {
	defer s.Close()
	var res, zero R
	found := false
	for s.Next() {
		m := s.Value()
		if progress != nil {
			progress(m)
		}
		var r R
		if ok, err := m.DecodeAux(&r); ok && err == nil {
			res, found = r, true
		}
	}
	if err := s.Err(); err != nil {
		return zero, err
	}
	if !found {
		return zero, &StreamError{Op: s.op, Message: "the stream ended without a result"}
	}
	return res, nil
}
