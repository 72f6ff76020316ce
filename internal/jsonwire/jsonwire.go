// Package jsonwire is the one place the SDK calls encoding/json: moving to
// encoding/json/v2 later changes this file only.
//
// Decoding errors are encoding/json's own (*json.SyntaxError,
// *json.UnmarshalTypeError), wrapped by the callers, so that users match
// them with errors.As against the types they know.
package jsonwire

import (
	"encoding/json"
	"io"
)

// Marshal encodes v.
func Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes data, a whole JSON value already in memory (a config
// file, a header, a bounded error body), into v.
func Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// Valid reports whether data is one JSON value.
func Valid(data []byte) bool { return json.Valid(data) }

// Decoder reads JSON values one after another from a stream (a response
// body), holding no more than the value being decoded.
type Decoder = json.Decoder

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return json.NewDecoder(r) }
