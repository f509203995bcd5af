package schema

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/hamba/avro/v2"
)

// walker decodes one projection of records written with one writer
// schema by walking the bytes in the writer's field order: it skips what
// the projection leaves out without building it, decodes the fields it
// names exactly as Unmarshal would (same codec, same Go types), and stops
// after the last field it needs, so a record's raw envelope (its last
// field) is not even skipped unless asked for.
type walker struct {
	steps   []walkStep
	entries bool // some field is read at some keys only
}

type walkStep struct {
	schema avro.Schema
	skip   func(*avro.Reader) // for walkSkip
	do     walkAction
	fields []walkField // payload: its fields up to the last one read
}

type walkAction int

const (
	walkSkip walkAction = iota
	walkRaw
	walkPayload
)

type walkField struct {
	name    string
	schema  avro.Schema
	read    bool
	entries []string // a map of strings read only at these keys; nil: whole
}

// newWalker plans the walk of writer (a record schema) for p.
func newWalker(writer avro.Schema, p Projection) (*walker, error) {
	rec, ok := writer.(*avro.RecordSchema)
	if !ok {
		return nil, fmt.Errorf("writer schema is a %s, not a record", writer.Type())
	}
	w := &walker{}
	last := -1
	for i, f := range rec.Fields() {
		st := walkStep{schema: f.Type(), skip: skipperOf(f.Type())}
		switch {
		case f.Name() == "raw" && p.Raw:
			st.do = walkRaw
		case f.Name() == "payload" && (p.AllPayload || len(p.Payload) > 0) && f.Type().Type() == avro.Record:
			st.do, st.fields = walkPayload, payloadFields(f.Type(), p)
		}
		if st.do != walkSkip {
			last = i
		}
		w.steps = append(w.steps, st)
	}
	w.steps = w.steps[:last+1]
	for _, st := range w.steps {
		for _, f := range st.fields {
			w.entries = w.entries || f.entries != nil
		}
	}
	if last >= 0 && w.steps[last].do == walkPayload {
		w.steps[last].fields = untilLastRead(w.steps[last].fields) // nothing after it is needed
	}
	return w, nil
}

// payloadFields plans the payload record's fields.
func payloadFields(s avro.Schema, p Projection) []walkField {
	var out []walkField
	for _, g := range s.(*avro.RecordSchema).Fields() {
		f := walkField{name: g.Name(), schema: g.Type(), read: p.AllPayload || slices.Contains(p.Payload, g.Name())}
		if keys, ok := p.Entries[g.Name()]; ok && !p.AllPayload && stringMap(g.Type()) != nil {
			f.entries = keys
		}
		out = append(out, f)
	}
	return out
}

func untilLastRead(fields []walkField) []walkField {
	for i := len(fields) - 1; i >= 0; i-- {
		if fields[i].read {
			return fields[:i+1]
		}
	}
	return nil
}

var walkReaders = sync.Pool{New: func() any { return avro.NewReader(nil, 0, avro.WithReaderConfig(api)) }}

// decode walks data into rec; spare, when not nil, is a map it may reuse
// for a map of entries.
func (w *walker) decode(data []byte, rec *record, spare map[string]string) error {
	r := walkReaders.Get().(*avro.Reader)
	defer walkReaders.Put(r)
	r.Reset(data)
	r.Error = nil
	for _, st := range w.steps {
		switch st.do {
		case walkSkip:
			st.skip(r)
		case walkRaw:
			rec.Raw = r.ReadString()
		case walkPayload:
			rec.Payload = readPayload(r, st.fields, rec.Payload, spare)
		}
		if r.Error != nil {
			break
		}
	}
	if errors.Is(r.Error, io.EOF) {
		return fmt.Errorf("record ends before the fields read: %w", io.ErrUnexpectedEOF)
	}
	return r.Error
}

// readPayload reads the payload record's fields into out (an empty map,
// or nil for a new one), leaving absent optional fields out.
func readPayload(r *avro.Reader, fields []walkField, out map[string]any, spare map[string]string) map[string]any {
	if out == nil {
		out = make(map[string]any, len(fields))
	}
	for _, f := range fields {
		if !f.read {
			skip(r, f.schema)
			continue
		}
		var v any
		if f.entries != nil {
			v = readEntries(r, f.schema, f.entries, spare)
			spare = nil
		} else {
			v = readValue(r, f.schema)
		}
		if v != nil {
			out[f.name] = v
		}
	}
	return out
}

// readValue reads one value of s as Unmarshal decodes it into an any:
// strings, booleans, longs and timestamps directly (the common case,
// without the codec's lookup and boxing), anything else through the codec.
func readValue(r *avro.Reader, s avro.Schema) any {
	switch s.Type() {
	case avro.String:
		return r.ReadString()
	case avro.Boolean:
		return r.ReadBool()
	case avro.Long:
		return readLong(r, s)
	case avro.Union:
		u := s.(*avro.UnionSchema)
		if !u.Nullable() || !primitive(u) {
			break // the codec's union decoding (its registered Go types)
		}
		i := r.ReadLong()
		if i < 0 || i >= int64(len(u.Types())) {
			r.ReportError("read", fmt.Sprintf("union branch %d out of range", i))
			return nil
		}
		if b := u.Types()[i]; b.Type() != avro.Null {
			return readValue(r, b)
		}
		return nil
	}
	var v any
	r.ReadVal(s, &v)
	if items, ok := v.([]map[string]any); ok {
		for _, item := range items {
			dropNulls(item) // the codec keeps a nested record's nulls
		}
	}
	return v
}

// stringMap returns the map of s, a map of strings or a nullable union
// of one; nil otherwise.
func stringMap(s avro.Schema) *avro.MapSchema {
	if u, ok := s.(*avro.UnionSchema); ok && u.Nullable() && len(u.Types()) == 2 {
		s = u.Types()[0]
		if s.Type() == avro.Null {
			s = u.Types()[1]
		}
	}
	if m, ok := s.(*avro.MapSchema); ok && m.Values().Type() == avro.String {
		return m
	}
	return nil
}

// readEntries reads a value of s (see stringMap) as a map[string]string
// with only the entries of keys (into out, cleared, when not nil); nil
// for a null. The other entries are skipped without being built.
func readEntries(r *avro.Reader, s avro.Schema, keys []string, out map[string]string) any {
	if u, ok := s.(*avro.UnionSchema); ok {
		i := r.ReadLong()
		if i < 0 || i >= int64(len(u.Types())) {
			r.ReportError("read", fmt.Sprintf("union branch %d out of range", i))
			return nil
		}
		if u.Types()[i].Type() == avro.Null {
			return nil
		}
	}
	if out == nil {
		out = make(map[string]string, len(keys))
	}
	clear(out)
	for r.Error == nil {
		n, _ := r.ReadBlockHeader()
		if n == 0 {
			break
		}
		if n > maxBlock || n < 0 {
			r.ReportError("read", fmt.Sprintf("block of %d items", n))
			break
		}
		for i := int64(0); i < n && r.Error == nil; i++ {
			if k := r.ReadString(); slices.Contains(keys, k) {
				out[k] = r.ReadString()
			} else {
				r.SkipString()
			}
		}
	}
	return out
}

// primitive reports whether every branch of u is null, string, boolean or
// long.
func primitive(u *avro.UnionSchema) bool {
	for _, b := range u.Types() {
		switch b.Type() {
		case avro.Null, avro.String, avro.Boolean, avro.Long:
		default:
			return false
		}
	}
	return true
}

func readLong(r *avro.Reader, s avro.Schema) any {
	v := r.ReadLong()
	if ls, ok := s.(avro.LogicalTypeSchema); ok && ls.Logical() != nil {
		switch ls.Logical().Type() {
		case avro.TimestampMillis:
			return time.UnixMilli(v).UTC()
		case avro.TimestampMicros:
			return time.UnixMicro(v).UTC()
		}
	}
	return v
}

// maxBlock bounds the items of one array or map block that skip walks.
const maxBlock = 1 << 20

// skipperOf returns what skips one value of s: the reader's own method
// for the primitives an envelope is made of, skip otherwise.
func skipperOf(s avro.Schema) func(*avro.Reader) {
	switch s.Type() {
	case avro.String:
		return (*avro.Reader).SkipString
	case avro.Long:
		return (*avro.Reader).SkipLong
	case avro.Boolean:
		return (*avro.Reader).SkipBool
	}
	return func(r *avro.Reader) { skip(r, s) }
}

// skip consumes one value of schema s.
func skip(r *avro.Reader, s avro.Schema) {
	switch s.Type() {
	case avro.Null:
	case avro.Boolean:
		r.SkipBool()
	case avro.Int, avro.Enum:
		r.SkipInt()
	case avro.Long:
		r.SkipLong()
	case avro.Float:
		r.SkipFloat()
	case avro.Double:
		r.SkipDouble()
	case avro.String:
		r.SkipString()
	case avro.Bytes:
		r.SkipBytes()
	case avro.Fixed:
		r.SkipNBytes(s.(*avro.FixedSchema).Size())
	case avro.Ref:
		skip(r, s.(*avro.RefSchema).Schema())
	case avro.Record:
		for _, f := range s.(*avro.RecordSchema).Fields() {
			skip(r, f.Type())
		}
	case avro.Union:
		skipUnion(r, s.(*avro.UnionSchema))
	case avro.Array:
		skipBlocks(r, func() { skip(r, s.(*avro.ArraySchema).Items()) })
	case avro.Map:
		skipBlocks(r, func() { r.SkipString(); skip(r, s.(*avro.MapSchema).Values()) })
	default:
		r.ReportError("skip", "unsupported type "+string(s.Type()))
	}
}

func skipUnion(r *avro.Reader, u *avro.UnionSchema) {
	i := r.ReadLong()
	if i < 0 || i >= int64(len(u.Types())) {
		r.ReportError("skip", fmt.Sprintf("union branch %d out of range", i))
		return
	}
	skip(r, u.Types()[i])
}

// skipBlocks consumes an array's or map's blocks, item by item or, when
// the writer gave their byte size, at once.
func skipBlocks(r *avro.Reader, item func()) {
	for r.Error == nil {
		n, size := r.ReadBlockHeader()
		switch {
		case n == 0:
			return
		case n > maxBlock || n < 0:
			r.ReportError("skip", fmt.Sprintf("block of %d items", n))
			return
		case size > 0:
			r.SkipNBytes(int(size))
			continue
		}
		for i := int64(0); i < n && r.Error == nil; i++ {
			item()
		}
	}
}
