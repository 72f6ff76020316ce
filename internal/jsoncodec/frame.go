package jsoncodec

// Framer finds where each value of a stream of concatenated JSON values
// ends, without decoding it, so that a stream reader can hand one whole
// value at a time to Unmarshal. It keeps its place between calls, so data
// that arrives in small pieces is scanned once: the work is linear in the
// stream's length. It checks no syntax beyond what framing needs; the
// value's decoder does.
type Framer struct {
	i       int  // bytes of the current value scanned so far
	depth   int  // open objects and arrays
	started bool // the value's first byte has been seen
	inStr   bool
	esc     bool // the previous byte was a backslash inside a string
	scalar  bool // a top-level number or literal, which ends at a delimiter
}

// End scans buf, which starts where the current value starts and holds at
// least the bytes an earlier call saw, and returns the length of the value
// (leading white space included), or -1 if buf does not hold all of it yet.
// A top-level number or literal ends only at the next delimiter: at the end
// of the stream, what remains is the value. After a value is found, the
// Framer starts over for the next one.
func (f *Framer) End(buf []byte) int {
	for ; f.i < len(buf); f.i++ {
		c := buf[f.i]
		switch {
		case !f.started:
			switch c {
			case ' ', '\t', '\n', '\r':
				continue
			case '{', '[':
				f.depth = 1
			case '"':
				f.inStr = true
			default:
				f.scalar = true
			}
			f.started = true
		case f.inStr:
			switch {
			case f.esc:
				f.esc = false
			case c == '\\':
				f.esc = true
			case c == '"':
				f.inStr = false
				if f.depth == 0 {
					return f.done()
				}
			}
		case f.scalar:
			switch c {
			case ' ', '\t', '\n', '\r', '{', '[', '"', ',', '}', ']', ':':
				n := f.i
				*f = Framer{}
				return n
			}
		default:
			switch c {
			case '"':
				f.inStr = true
			case '{', '[':
				f.depth++
			case '}', ']':
				if f.depth--; f.depth == 0 {
					return f.done()
				}
			}
		}
	}
	return -1
}

func (f *Framer) done() int {
	n := f.i + 1
	*f = Framer{}
	return n
}

// Pending reports whether a value has begun but not ended: at the end of
// a stream, a value cut short.
func (f *Framer) Pending() bool { return f.started }
