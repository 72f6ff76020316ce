package buildkit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// The protobuf wire format, as much of it as BuildKit's session and
// progress messages use: varints, 64- and 32-bit fixed fields (skipped),
// and length-delimited fields (strings, bytes, nested messages). Written by
// hand so that the package links nothing but the standard library.

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

var errTruncated = errors.New("truncated protobuf message")

// reader walks the fields of one message.
type reader struct {
	b   []byte
	err error
}

// next reads the next field's number and wire type; false at the end of
// the message or on a malformed one (then r.err says why).
func (r *reader) next() (num int, typ int, ok bool) {
	if r.err != nil || len(r.b) == 0 {
		return 0, 0, false
	}
	key, ok := r.varint()
	if !ok {
		return 0, 0, false
	}
	num, typ = int(key>>3), int(key&7)
	if num <= 0 || num > 1<<29-1 {
		r.err = fmt.Errorf("protobuf field number %d out of range", num)
		return 0, 0, false
	}
	return num, typ, true
}

func (r *reader) varint() (uint64, bool) {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errTruncated
		return 0, false
	}
	r.b = r.b[n:]
	return v, true
}

// bytes reads a length-delimited field's contents, which alias the message.
func (r *reader) bytes() []byte {
	n, ok := r.varint()
	if !ok {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errTruncated
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// skip passes over a field of wire type typ that the caller does not read.
func (r *reader) skip(typ int) {
	switch typ {
	case wireVarint:
		r.varint()
	case wireFixed64:
		r.fixed(8)
	case wireFixed32:
		r.fixed(4)
	case wireBytes:
		r.bytes()
	default: // groups (3, 4) are not used by these protocols
		r.err = fmt.Errorf("unsupported protobuf wire type %d", typ)
	}
}

func (r *reader) fixed(n int) {
	if len(r.b) < n {
		r.err = errTruncated
		return
	}
	r.b = r.b[n:]
}

// field reads a field's value when its wire type is the one expected, and
// skips it otherwise, as protobuf parsers do with a field that changed type.
func (r *reader) string(typ int) string {
	if typ != wireBytes {
		r.skip(typ)
		return ""
	}
	return string(r.bytes())
}

func (r *reader) int(typ int) int64 {
	if typ != wireVarint {
		r.skip(typ)
		return 0
	}
	v, _ := r.varint()
	return int64(v)
}

func (r *reader) message(typ int) []byte {
	if typ != wireBytes {
		r.skip(typ)
		return nil
	}
	return r.bytes()
}

// timestamp reads a google.protobuf.Timestamp; the zero time when absent.
func (r *reader) timestamp(typ int) time.Time {
	b := r.message(typ)
	if b == nil {
		return time.Time{}
	}
	var secs, nanos int64
	m := reader{b: b}
	for num, t, ok := m.next(); ok; num, t, ok = m.next() {
		switch num {
		case 1:
			secs = m.int(t)
		case 2:
			nanos = int64(int32(m.int(t)))
		default:
			m.skip(t)
		}
	}
	if m.err != nil {
		r.err = m.err
		return time.Time{}
	}
	return time.Unix(secs, nanos).UTC()
}

// writer builds one message.
type writer struct{ b []byte }

func (w *writer) key(num, typ int) { w.b = binary.AppendUvarint(w.b, uint64(num)<<3|uint64(typ)) }

func (w *writer) bytes(num int, v []byte) {
	w.key(num, wireBytes)
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

// string writes a string field, leaving it out when empty as proto3 does.
func (w *writer) string(num int, v string) {
	if v == "" {
		return
	}
	w.key(num, wireBytes)
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

func (w *writer) int(num int, v int64) {
	if v == 0 {
		return
	}
	w.key(num, wireVarint)
	w.b = binary.AppendUvarint(w.b, uint64(v))
}
