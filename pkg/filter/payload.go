package filter

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/engagehub/engagehub/pkg/event"
)

// Payload is an event's payload as an expression reads it: the typed
// fields of the decoded event and, computed on first use, the fields the
// schema does not list. It is a CEL value of type payloadTypeName.
type Payload struct {
	typ     event.Type
	typed   map[string]any
	fields  Fields // in place of typed, when set
	raw     []byte
	unknown map[string]any // nil until first read
}

// Fields is a payload decoded field by field instead of into a map
// (schema.Fields is one): the typed fields by name, each as package
// event builds it, scalars without boxing them.
type Fields interface {
	// Has reports whether the event has field name.
	Has(name string) bool
	// Str returns a string field (a decimal's exact text too).
	Str(name string) (string, bool)
	// Int returns an integer field.
	Int(name string) (int64, bool)
	// Bool returns a boolean field.
	Bool(name string) (bool, bool)
	// Entries returns a map(string, string) field.
	Entries(name string) (map[string]string, bool)
	// Value returns any field, as package event builds it.
	Value(name string) (any, bool)
}

// NewPayload returns ev's payload: ev.Payload (as package schema decodes
// it, or event.New builds it) and, for payload.unknown, ev.Raw.
func NewPayload(ev event.Event) *Payload {
	p := &Payload{}
	p.Reset(ev)
	return p
}

// Reset makes p ev's payload (see NewPayload), so a caller evaluating many
// events one after another can reuse one Payload.
func (p *Payload) Reset(ev event.Event) {
	*p = Payload{typ: ev.Type, typed: ev.Payload, raw: ev.Raw}
}

// ResetFields makes p the payload of an event of type typ whose typed
// fields are fields and whose original envelope (for payload.unknown) is
// raw.
func (p *Payload) ResetFields(typ event.Type, fields Fields, raw []byte) {
	*p = Payload{typ: typ, fields: fields, raw: raw}
}

// field returns typed field name as package event builds it.
func (p *Payload) field(name string) (any, bool) {
	if p.fields != nil {
		return p.fields.Value(name)
	}
	v, ok := p.typed[name]
	return v, ok
}

// get returns field name as a CEL value; ok is false when the event has
// no such field.
func (p *Payload) get(name string) (v ref.Val, ok bool, err error) {
	kind, typed := kindsOf(p.typ)[name]
	if !typed && name == unknownField {
		return types.DefaultTypeAdapter.NativeToValue(p.unknownFields()), true, nil
	}
	raw, ok := p.field(name)
	if !ok {
		return nil, false, nil
	}
	v, err = celValue(name, kind, raw)
	return v, true, err
}

// celValue converts a typed payload value (as package event builds it) to
// CEL: decimals, kept as exact text, become doubles.
func celValue(name string, kind event.Kind, v any) (ref.Val, error) {
	switch x := v.(type) {
	case string:
		if kind != event.KindDecimal {
			return types.String(x), nil
		}
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return nil, fmt.Errorf("payload.%s: %q is not a number", name, x)
		}
		return types.Double(f), nil
	case bool:
		return types.Bool(x), nil
	case int64:
		return types.Int(x), nil
	case time.Time:
		return types.Timestamp{Time: x}, nil
	case map[string]string:
		return types.NewStringStringMap(types.DefaultTypeAdapter, x), nil
	}
	return types.DefaultTypeAdapter.NativeToValue(v), nil
}

func (p *Payload) has(name string) bool {
	if _, typed := kindsOf(p.typ)[name]; typed || name != unknownField {
		_, ok := p.field(name)
		return ok
	}
	return true // payload.unknown, always there
}

// unknownFields parses, once, the payload members of the original JSON
// that the type's schema does not list (any key casing counts as listed).
func (p *Payload) unknownFields() map[string]any {
	if p.unknown != nil {
		return p.unknown
	}
	p.unknown = map[string]any{}
	env, err := event.Parse(p.raw)
	if err != nil {
		return p.unknown
	}
	kinds := kindsOf(p.typ)
	for key, raw := range env.Payload {
		if listed(kinds, key) {
			continue
		}
		var v any
		if json.Unmarshal(raw, &v) == nil {
			p.unknown[key] = v
		}
	}
	return p.unknown
}

func listed(kinds map[string]event.Kind, key string) bool {
	if _, ok := kinds[key]; ok {
		return true
	}
	for name := range kinds {
		if strings.EqualFold(name, key) {
			return true
		}
	}
	return false
}

// payloadTypeName is the CEL type of the payload variable.
const payloadTypeName = "engagehub.Payload"

var payloadObjectType = types.NewObjectType(payloadTypeName)

// ConvertToNative implements ref.Val: a payload converts only to itself.
func (p *Payload) ConvertToNative(t reflect.Type) (any, error) {
	if reflect.TypeOf(p).AssignableTo(t) {
		return p, nil
	}
	return nil, fmt.Errorf("filter: payload cannot be converted to %v", t)
}

// ConvertToType implements ref.Val.
func (p *Payload) ConvertToType(t ref.Type) ref.Val {
	if t == types.TypeType {
		return payloadObjectType
	}
	return types.NewErr("payload cannot be converted to %s", t.TypeName())
}

// Equal implements ref.Val: a payload equals only itself.
func (p *Payload) Equal(other ref.Val) ref.Val { return types.Bool(other == ref.Val(p)) }

// Type implements ref.Val.
func (p *Payload) Type() ref.Type { return payloadObjectType }

// Value implements ref.Val.
func (p *Payload) Value() any { return p }

// payloadType describes, to the type checker and the interpreter, a
// payload with the given fields.
type payloadType struct {
	fields map[string]*types.FieldType
	names  []string
}

func newPayloadType(fields map[string]*types.Type) *payloadType {
	pt := &payloadType{fields: map[string]*types.FieldType{}}
	for name, t := range fields {
		pt.names = append(pt.names, name)
		pt.fields[name] = &types.FieldType{Type: t, IsSet: isSet(name), GetFrom: getFrom(name)}
	}
	return pt
}

func isSet(name string) ref.FieldTester {
	return func(target any) bool {
		p, ok := target.(*Payload)
		return ok && p.has(name)
	}
}

func getFrom(name string) ref.FieldGetter {
	return func(target any) (any, error) {
		p, ok := target.(*Payload)
		if !ok {
			if err, isErr := target.(error); isErr {
				return nil, err // the payload could not be decoded
			}
			return nil, fmt.Errorf("no such key: %s", name)
		}
		v, ok, err := p.get(name)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			return nil, fmt.Errorf("no such key: %s (absent from this %s event; test it with has(payload.%s))", name, p.typ, name)
		}
		return v, nil
	}
}

// TypeName implements ref.Type.
func (pt *payloadType) TypeName() string { return payloadTypeName }

// HasTrait implements ref.Type.
func (pt *payloadType) HasTrait(trait int) bool { return payloadObjectType.HasTrait(trait) }

// ReflectType implements types.StructTypeDescriptor.
func (pt *payloadType) ReflectType() reflect.Type { return reflect.TypeOf(&Payload{}) }

// FieldNames implements types.StructTypeDescriptor.
func (pt *payloadType) FieldNames() []string { return pt.names }

// FindFieldType implements types.StructTypeDescriptor.
func (pt *payloadType) FindFieldType(name string) (*types.FieldType, bool) {
	ft, ok := pt.fields[name]
	return ft, ok
}

// NewValue implements types.StructTypeDescriptor: expressions cannot
// build payloads.
func (pt *payloadType) NewValue(types.Adapter, map[string]ref.Val) ref.Val {
	return types.NewErr("a payload cannot be constructed")
}

// Adapt implements types.StructTypeDescriptor.
func (pt *payloadType) Adapt(_ types.Adapter, value any) ref.Val {
	if p, ok := value.(*Payload); ok {
		return p
	}
	return types.NewErr("not a payload: %T", value)
}
