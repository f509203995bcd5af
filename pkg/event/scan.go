package event

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
)

// This file reads JSON without encoding/json's reflection: an envelope is
// walked once, validated as json.Valid does, and its values are kept as
// sub-slices of the input instead of being decoded into maps. The values
// are then read by kind (see convert.go) only where the catalog needs them.

// member is one key and value of a JSON object: key is the decoded name
// (a sub-slice of the input unless it had escapes), val the value's JSON
// text, a sub-slice of the input.
type member struct {
	key []byte
	val []byte
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// scanner validates JSON text from pos on.
type scanner struct {
	data  []byte
	pos   int
	depth int
}

// members reads data, which must be exactly one JSON object (whitespace
// around it allowed), appending its members to dst in input order. It
// reports false when data is not valid JSON or not an object.
func members(data []byte, dst []member) ([]member, bool) {
	s := scanner{data: data, depth: 1} // the object or array itself
	s.space()
	if s.pos >= len(data) || data[s.pos] != '{' {
		return dst, false
	}
	s.pos++
	s.space()
	if s.peek() == '}' {
		s.pos++
		return dst, s.end()
	}
	for {
		key, ok := s.key()
		if !ok {
			return dst, false
		}
		start := s.pos
		if !s.value() {
			return dst, false
		}
		dst = append(dst, member{key: key, val: data[start:s.pos]})
		s.space()
		switch s.next() {
		case ',':
			s.space()
		case '}':
			return dst, s.end()
		default:
			return dst, false
		}
	}
}

// elements reads data, which must be exactly one JSON array, appending
// the JSON text of each element to dst.
func elements(data []byte, dst [][]byte) ([][]byte, bool) {
	s := scanner{data: data, depth: 1} // the object or array itself
	s.space()
	if s.next() != '[' {
		return dst, false
	}
	s.space()
	if s.peek() == ']' {
		s.pos++
		return dst, s.end()
	}
	for {
		s.space()
		start := s.pos
		if !s.value() {
			return dst, false
		}
		dst = append(dst, data[start:s.pos])
		s.space()
		switch s.next() {
		case ',':
		case ']':
			return dst, s.end()
		default:
			return dst, false
		}
	}
}

// end reports whether only whitespace is left.
func (s *scanner) end() bool {
	s.space()
	return s.pos == len(s.data)
}

// key reads `"name"` and the colon after it; pos is at the value.
func (s *scanner) key() ([]byte, bool) {
	start := s.pos
	if s.peek() != '"' || !s.str() {
		return nil, false
	}
	raw := s.data[start:s.pos]
	s.space()
	if s.next() != ':' {
		return nil, false
	}
	s.space()
	if inner := raw[1 : len(raw)-1]; plain(inner) {
		return inner, true
	}
	return []byte(unquote(raw)), true
}

func (s *scanner) peek() byte {
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

func (s *scanner) next() byte {
	c := s.peek()
	s.pos++
	return c
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value skips one JSON value starting at pos.
func (s *scanner) value() bool {
	switch c := s.peek(); {
	case c == '"':
		return s.str()
	case c == '{' || c == '[':
		return s.nested(c)
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

// nested skips an object or array.
func (s *scanner) nested(open byte) bool {
	if s.depth++; s.depth > maxDepth {
		return false
	}
	defer func() { s.depth-- }()
	closing := byte('}')
	if open == '[' {
		closing = ']'
	}
	s.pos++
	s.space()
	if s.peek() == closing {
		s.pos++
		return true
	}
	for {
		if open == '{' {
			if s.peek() != '"' || !s.str() {
				return false
			}
			s.space()
			if s.next() != ':' {
				return false
			}
			s.space()
		}
		if !s.value() {
			return false
		}
		s.space()
		switch s.next() {
		case ',':
			s.space()
		case closing:
			return true
		default:
			return false
		}
	}
}

// str skips a string; pos is at its opening quote. It jumps from quote to
// quote with bytes.IndexByte (vectorised), checking each span for a
// backslash the same way and for control characters eight bytes at a time:
// long attribute values are most of an envelope's bytes, and a byte-by-byte
// loop was a fifth of ingest's CPU.
func (s *scanner) str() bool {
	s.pos++
	for s.pos <= len(s.data) {
		rest := s.data[s.pos:]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			return false
		}
		if b := bytes.IndexByte(rest[:q], '\\'); b >= 0 {
			if hasControl(rest[:b]) {
				return false
			}
			s.pos += b + 1
			if !s.escape() {
				return false
			}
			continue
		}
		if hasControl(rest[:q]) {
			return false
		}
		s.pos += q + 1
		return true
	}
	return false
}

// hasControl reports whether b holds a byte below 0x20 (not allowed
// unescaped in a JSON string), testing eight bytes per step: a byte below
// 0x20 is the only way subtracting 0x20 from each byte borrows out of a
// byte whose top bit was clear.
func hasControl(b []byte) bool {
	const ones, highs = 0x2020202020202020, 0x8080808080808080
	for len(b) >= 8 {
		if x := binary.LittleEndian.Uint64(b); (x-ones)&^x&highs != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// escape skips what follows a backslash.
func (s *scanner) escape() bool {
	switch s.next() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		for range 4 {
			if !isHex(s.next()) {
				return false
			}
		}
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number skips -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() bool {
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return false
	}
	if s.peek() == '.' {
		s.pos++
		if !s.digits() {
			return false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		return s.digits()
	}
	return true
}

// digits skips [0-9]+.
func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

func (s *scanner) literal(word string) bool {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return false
	}
	s.pos += len(word)
	return true
}

// unquote returns the content of a valid JSON string as encoding/json
// decodes it: the bytes as they are when there is nothing to decode,
// otherwise through encoding/json (escapes, invalid UTF-8).
func unquote(v []byte) string {
	if inner := v[1 : len(v)-1]; plain(inner) {
		return string(inner)
	}
	var s string
	_ = json.Unmarshal(v, &s) // v is a valid JSON string
	return s
}

// plain reports whether the content of a JSON string decodes to itself.
func plain(inner []byte) bool {
	return bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner)
}
