package schema

import (
	"fmt"
	"io"

	"github.com/hamba/avro/v2"
)

// cursor reads Avro binary from a record held whole in memory: the
// primitives a projection's walk reads or skips, as slices of the record
// instead of copies. hamba/avro's Reader does the same behind a buffered
// reader, call by call; on fan-out's filter path (a few fields of every
// record) that machinery was most of the walk, and the walk most of the
// filter's cost. Everything that is not a primitive is decoded by the
// codec, from the exact bytes the cursor skipped over (see codecValue).
type cursor struct {
	b   []byte
	off int
	err error
}

func (c *cursor) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
	c.off = len(c.b)
}

// long reads a long: a zig-zag varint of at most 10 bytes. One byte
// (most lengths, branches and flags) is read inline.
func (c *cursor) long() int64 {
	var u uint64
	if c.off < len(c.b) && c.b[c.off] < 0x80 { // after an error off is len(b)
		u = uint64(c.b[c.off])
		c.off++
	} else {
		u = c.varint(maxLongBytes)
	}
	return int64(u>>1) ^ -int64(u&1)
}

// int reads an int (also a union's branch, an enum's symbol): a zig-zag
// varint of at most 5 bytes, its bits past 32 dropped.
func (c *cursor) int() int32 {
	u := uint32(c.varint(maxIntBytes))
	return int32(u>>1) ^ -int32(u&1)
}

// Longest varints, as hamba/avro's Reader bounds them when it reads a
// value: the cursor reads the varints Unmarshal reads.
const (
	maxIntBytes  = 5
	maxLongBytes = 10
)

// varint reads an unsigned varint of at most max bytes (encoding/binary's
// Uvarint would refuse some that hamba/avro's Reader accepts).
func (c *cursor) varint(max int) uint64 {
	var u uint64
	for i := 0; c.err == nil; i++ {
		switch {
		case i == max:
			c.fail("varint longer than %d bytes at byte %d", max, c.off-i)
		case c.off == len(c.b):
			c.fail("record ends before the fields read: %w", io.ErrUnexpectedEOF)
		default:
			b := c.b[c.off]
			c.off++
			u |= uint64(b&0x7f) << (7 * i)
			if b < 0x80 {
				return u
			}
		}
	}
	return 0
}

// bytes reads a string or bytes as a slice of the record.
func (c *cursor) bytes() []byte {
	n := c.long()
	if n < 0 {
		c.fail("negative length %d at byte %d", n, c.off)
	}
	return c.next(n)
}

// next returns the next n bytes.
func (c *cursor) next(n int64) []byte {
	if c.err != nil {
		return nil
	}
	if n > int64(len(c.b)-c.off) {
		c.fail("record ends before the fields read: %w", io.ErrUnexpectedEOF)
		return nil
	}
	b := c.b[c.off : c.off+int(n)]
	c.off += int(n)
	return b
}

// bool reads a boolean: one byte, 0 or 1.
func (c *cursor) bool() bool {
	b := c.next(1)
	if len(b) == 1 && b[0] > 1 {
		c.fail("invalid boolean byte %d", b[0])
	}
	return len(b) == 1 && b[0] == 1
}

// branch reads a union's branch index and returns the branch.
func (c *cursor) branch(u *avro.UnionSchema) avro.Schema {
	i := c.int()
	if c.err == nil && (i < 0 || int(i) >= len(u.Types())) {
		c.fail("union branch %d out of range", i)
	}
	if c.err != nil {
		return nil
	}
	return u.Types()[i]
}

// block reads an array's or map's block header: its item count, 0 at the
// end, and its byte size when the writer gave it (0 otherwise).
func (c *cursor) block() (n, size int64) {
	n = c.long()
	if n < 0 {
		n, size = -n, c.long()
	}
	if c.err == nil && (n > maxBlock || n < 0 || size < 0) {
		c.fail("block of %d items (%d bytes)", n, size)
	}
	if c.err != nil {
		return 0, 0
	}
	return n, size
}

// maxBlock bounds the items of one array or map block that a walk reads.
const maxBlock = 1 << 20

// skipAs consumes one value of s, whose type is t: the primitives an
// envelope is made of without asking s.
func skipAs(c *cursor, t avro.Type, s avro.Schema) {
	switch t {
	case avro.String:
		c.bytes()
	case avro.Long:
		c.long()
	case avro.Boolean:
		c.bool()
	default:
		skip(c, s)
	}
}

// skip consumes one value of schema s.
func skip(c *cursor, s avro.Schema) {
	switch s.Type() {
	case avro.Null:
	case avro.Boolean:
		c.bool()
	case avro.Int, avro.Enum:
		c.int()
	case avro.Long:
		c.long()
	case avro.Float:
		c.next(4)
	case avro.Double:
		c.next(8)
	case avro.String, avro.Bytes:
		c.bytes()
	case avro.Fixed:
		c.next(int64(s.(*avro.FixedSchema).Size()))
	case avro.Ref:
		skip(c, s.(*avro.RefSchema).Schema())
	case avro.Record:
		for _, f := range s.(*avro.RecordSchema).Fields() {
			skip(c, f.Type())
		}
	case avro.Union:
		if b := c.branch(s.(*avro.UnionSchema)); b != nil {
			skip(c, b)
		}
	case avro.Array:
		skipBlocks(c, func() { skip(c, s.(*avro.ArraySchema).Items()) })
	case avro.Map:
		skipBlocks(c, func() { c.bytes(); skip(c, s.(*avro.MapSchema).Values()) })
	default:
		c.fail("cannot skip a %s", s.Type())
	}
}

// skipBlocks consumes an array's or map's blocks, item by item or, when
// the writer gave their byte size, at once.
func skipBlocks(c *cursor, item func()) {
	for c.err == nil {
		n, size := c.block()
		switch {
		case n == 0:
			return
		case size > 0:
			c.next(size)
			continue
		}
		for i := int64(0); i < n && c.err == nil; i++ {
			item()
		}
	}
}
