package schema

import (
	"fmt"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/hamba/avro/v2"
)

// walker decodes one projection of records written with one writer
// schema by walking the bytes in the writer's field order: it skips what
// the projection leaves out without building it, decodes the fields it
// names exactly as Unmarshal would (same codec, same Go types), and stops
// after the last field it needs, so a record's raw envelope (its last
// field) is not even skipped unless asked for.
type walker struct {
	steps []walkStep
	names []string // the payload fields read, in walk order: Fields' slots
}

type walkStep struct {
	schema avro.Schema
	typ    avro.Type // schema's
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
	typ     avro.Type // schema's
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
		st := walkStep{schema: f.Type(), typ: f.Type().Type()}
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
	if last >= 0 && w.steps[last].do == walkPayload {
		w.steps[last].fields = untilLastRead(w.steps[last].fields) // nothing after it is needed
	}
	for _, st := range w.steps {
		for _, f := range st.fields {
			if f.read {
				w.names = append(w.names, f.name)
			}
		}
	}
	return w, nil
}

// payloadFields plans the payload record's fields.
func payloadFields(s avro.Schema, p Projection) []walkField {
	var out []walkField
	for _, g := range s.(*avro.RecordSchema).Fields() {
		f := walkField{name: g.Name(), schema: g.Type(), typ: g.Type().Type(), read: p.AllPayload || slices.Contains(p.Payload, g.Name())}
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

// decode walks data into f.
func (w *walker) decode(data []byte, f *Fields) error {
	c := cursor{b: data}
	f.reset(w.names)
	for _, st := range w.steps {
		switch st.do {
		case walkSkip:
			skipAs(&c, st.typ, st.schema)
		case walkRaw:
			f.raw = c.bytes()
		case walkPayload:
			readPayload(&c, st.fields, f.vals)
		}
		if c.err != nil {
			return c.err
		}
	}
	return nil
}

// readPayload reads the payload record's fields into the slots of those
// it reads, in order.
func readPayload(c *cursor, fields []walkField, slots []fieldValue) {
	j := 0
	for _, f := range fields {
		switch {
		case !f.read:
			skipAs(c, f.typ, f.schema)
			continue
		case f.entries != nil:
			readEntries(c, f.schema, f.entries, &slots[j])
		default:
			readField(c, f.schema, &slots[j])
		}
		j++
	}
}

// readField reads one value of s into fv as Unmarshal decodes it into an
// any: strings, booleans, longs and timestamps directly (the common
// case, without the codec's lookup and boxing), anything else through
// the codec, from the bytes the value spans. A null leaves fv absent.
func readField(c *cursor, s avro.Schema, fv *fieldValue) {
	switch s.Type() {
	case avro.String:
		fv.kind, fv.s = kindString, view(c.bytes())
		return
	case avro.Boolean:
		fv.kind, fv.b = kindBool, c.bool()
		return
	case avro.Long:
		readLong(c, s, fv)
		return
	case avro.Union:
		u := s.(*avro.UnionSchema)
		if !u.Nullable() || !primitive(u) {
			break // the codec's union decoding (its registered Go types)
		}
		if b := c.branch(u); b != nil && b.Type() != avro.Null {
			readField(c, b, fv)
		}
		return
	}
	if v := codecValue(c, s); v != nil {
		fv.kind, fv.v = kindOther, v
	}
}

var codecReaders = sync.Pool{New: func() any { return avro.NewReader(nil, 0, avro.WithReaderConfig(api)) }}

// codecValue decodes the value of s at the cursor with the codec.
func codecValue(c *cursor, s avro.Schema) any {
	start := c.off
	if skip(c, s); c.err != nil {
		return nil
	}
	r := codecReaders.Get().(*avro.Reader)
	defer codecReaders.Put(r)
	r.Reset(c.b[start:c.off])
	r.Error = nil
	var v any
	if r.ReadVal(s, &v); r.Error != nil {
		c.fail("%s: %w", s.Type(), r.Error)
		return nil
	}
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

// readEntries reads a value of s (see stringMap) into fv as a
// map[string]string with only the entries of keys (fv's map, cleared,
// from the previous record); absent for a null. The other entries are
// skipped without being built: their keys are compared where they lie
// in the record.
func readEntries(c *cursor, s avro.Schema, keys []string, fv *fieldValue) {
	if u, ok := s.(*avro.UnionSchema); ok {
		if b := c.branch(u); b == nil || b.Type() == avro.Null {
			return
		}
	}
	if fv.m == nil {
		fv.m = make(map[string]string, len(keys))
	}
	clear(fv.m)
	fv.kind = kindEntries
	for c.err == nil {
		n, _ := c.block()
		if n == 0 {
			break
		}
		for i := int64(0); i < n && c.err == nil; i++ {
			k, v := c.bytes(), c.bytes()
			if key, ok := keyIn(keys, k); ok {
				fv.m[key] = view(v)
			}
		}
	}
}

// keyIn returns the key of keys that k spells.
func keyIn(keys []string, k []byte) (string, bool) {
	for _, key := range keys {
		if key == string(k) {
			return key, true
		}
	}
	return "", false
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

func readLong(c *cursor, s avro.Schema, fv *fieldValue) {
	v := c.long()
	if ls, ok := s.(avro.LogicalTypeSchema); ok && ls.Logical() != nil {
		switch ls.Logical().Type() {
		case avro.TimestampMillis:
			fv.kind, fv.v = kindOther, time.UnixMilli(v).UTC()
			return
		case avro.TimestampMicros:
			fv.kind, fv.v = kindOther, time.UnixMicro(v).UTC()
			return
		}
	}
	fv.kind, fv.i = kindLong, v
}

// view is b as a string sharing its memory: the decoded strings of a walk
// are views of the record (see Serde.Project).
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
