package schema

import (
	"maps"
	"slices"
)

// Fields is what Project decodes of a record: the payload fields its
// projection names, each in a slot of its own, and the raw envelope. A
// projection names a few fields, so a field is found by comparing names
// instead of hashing them, and strings, longs and booleans are kept
// without boxing them in an interface: a filter that reads two fields of
// every record costs neither a map nor an allocation. Reuse one Fields
// for many records; what a Project returned is valid until the next
// Project into the same Fields.
type Fields struct {
	names []string // the fields the walk read, in the writer's order
	vals  []fieldValue
	raw   []byte
}

type valueKind uint8

const (
	absent valueKind = iota
	kindString
	kindLong
	kindBool
	kindEntries // a map of strings read at some keys only, in m
	kindOther   // anything else, as Unmarshal decodes it, in v
)

type fieldValue struct {
	kind valueKind
	s    string
	i    int64
	b    bool
	m    map[string]string // kindEntries; kept from record to record
	v    any
}

// value is the field as Unmarshal's Payload holds it; nil when absent.
func (fv *fieldValue) value() any {
	switch fv.kind {
	case kindString:
		return fv.s
	case kindLong:
		return fv.i
	case kindBool:
		return fv.b
	case kindEntries:
		return fv.m
	}
	return fv.v
}

// reset readies f for a walk reading names.
func (f *Fields) reset(names []string) {
	f.names, f.raw = names, nil
	if cap(f.vals) < len(names) {
		f.vals = append(f.vals[:cap(f.vals)], make([]fieldValue, len(names)-cap(f.vals))...)
	}
	f.vals = f.vals[:len(names)]
	for i := range f.vals {
		f.vals[i] = fieldValue{m: f.vals[i].m}
	}
}

func (f *Fields) lookup(name string) *fieldValue {
	for i, n := range f.names {
		if n == name {
			return &f.vals[i]
		}
	}
	return nil
}

// Raw is the original envelope JSON, when the projection asked for it.
func (f *Fields) Raw() []byte { return f.raw }

// Has reports whether the record has field name (and it was decoded).
func (f *Fields) Has(name string) bool {
	fv := f.lookup(name)
	return fv != nil && fv.kind != absent
}

// Str returns string field name (a decimal's exact text too); false when
// absent or not a string.
func (f *Fields) Str(name string) (string, bool) {
	if fv := f.lookup(name); fv != nil && fv.kind == kindString {
		return fv.s, true
	}
	return "", false
}

// Int returns long field name; false when absent or not a long.
func (f *Fields) Int(name string) (int64, bool) {
	if fv := f.lookup(name); fv != nil && fv.kind == kindLong {
		return fv.i, true
	}
	return 0, false
}

// Bool returns boolean field name; false when absent or not a boolean.
func (f *Fields) Bool(name string) (bool, bool) {
	if fv := f.lookup(name); fv != nil && fv.kind == kindBool {
		return fv.b, true
	}
	return false, false
}

// Entries returns map-of-strings field name: whole, or only the entries
// the projection asked for (see Projection.Entries); false when absent or
// not such a map.
func (f *Fields) Entries(name string) (map[string]string, bool) {
	v, _ := f.Value(name)
	m, ok := v.(map[string]string)
	return m, ok
}

// Value returns field name as Unmarshal's Payload holds it; false when
// absent.
func (f *Fields) Value(name string) (any, bool) {
	fv := f.lookup(name)
	if fv == nil || fv.kind == absent {
		return nil, false
	}
	return fv.value(), true
}

// Map returns the fields present as Unmarshal's Payload holds them, in a
// new map (sharing f's maps of entries).
func (f *Fields) Map() map[string]any {
	out := make(map[string]any, len(f.names))
	for i, name := range f.names {
		if f.vals[i].kind != absent {
			out[name] = f.vals[i].value()
		}
	}
	return out
}

// Set makes f hold payload's fields (as Unmarshal's Payload holds them)
// and raw: for decoders of records that Project does not read.
func (f *Fields) Set(payload map[string]any, raw []byte) {
	f.reset(slices.Sorted(maps.Keys(payload)))
	f.raw = raw
	for i, name := range f.names {
		switch v := payload[name].(type) {
		case string:
			f.vals[i].kind, f.vals[i].s = kindString, v
		case int64:
			f.vals[i].kind, f.vals[i].i = kindLong, v
		case bool:
			f.vals[i].kind, f.vals[i].b = kindBool, v
		case nil:
		default:
			f.vals[i].kind, f.vals[i].v = kindOther, v
		}
	}
}
