package filter

import (
	"fmt"
	"strconv"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// Operands of the native evaluator (see native.go): variables, payload
// fields, map entries and literals.

// operand compiles a variable, payload field, map entry or literal of a
// scalar type.
func (c *nativeCompiler) operand(x celast.Expr) (operand, scalarKind, bool) {
	switch x.Kind() {
	case celast.LiteralKind:
		v, ok := literal(x.AsLiteral())
		return func(*Event) (scalar, error) { return v, nil }, v.kind, ok
	case celast.IdentKind:
		return identOperand(x.AsIdent())
	case celast.SelectKind:
		sel := x.AsSelect()
		if sel.IsTestOnly() {
			return nil, 0, false
		}
		return c.selectOperand(sel.Operand(), sel.FieldName(), c.ast.GetType(x.ID()))
	case celast.CallKind:
		call := x.AsCall()
		if call.FunctionName() != operators.Index || len(call.Args()) != 2 {
			return nil, 0, false
		}
		key, ok := call.Args()[1].AsLiteral().(types.String)
		if !ok || call.Args()[1].Kind() != celast.LiteralKind {
			return nil, 0, false
		}
		field, isMap := c.payloadMap(call.Args()[0])
		if !isMap {
			return nil, 0, false
		}
		return mapEntry(field, string(key)), kString, true
	}
	return nil, 0, false
}

func identOperand(name string) (operand, scalarKind, bool) {
	switch name {
	case "type":
		return func(e *Event) (scalar, error) { return scalar{kind: kString, s: string(e.Type)}, nil }, kString, true
	case "contactId":
		return func(e *Event) (scalar, error) { return scalar{kind: kString, s: e.ContactID}, nil }, kString, true
	case "source":
		return func(e *Event) (scalar, error) { return scalar{kind: kString, s: e.loadSource()}, nil }, kString, true
	}
	return nil, 0, false
}

// selectOperand compiles payload.f (a scalar field) and payload.m.k (an
// entry of a map field).
func (c *nativeCompiler) selectOperand(operandExpr celast.Expr, name string, t *types.Type) (operand, scalarKind, bool) {
	if field, ok := c.payloadMap(operandExpr); ok {
		return mapEntry(field, name), kString, true
	}
	if !isPayload(operandExpr) || name == unknownField {
		return nil, 0, false
	}
	kind, ok := scalarOf(t)
	if !ok {
		return nil, 0, false
	}
	return func(e *Event) (scalar, error) {
		p, err := e.nativePayload()
		if err != nil {
			return scalar{}, err
		}
		return p.scalar(name, kind)
	}, kind, true
}

// payloadMap reports whether x is payload.m for a map(string, string)
// field m, and returns m.
func (c *nativeCompiler) payloadMap(x celast.Expr) (string, bool) {
	if x.Kind() != celast.SelectKind || x.AsSelect().IsTestOnly() || !isPayload(x.AsSelect().Operand()) {
		return "", false
	}
	name := x.AsSelect().FieldName()
	t := c.ast.GetType(x.ID())
	if name == unknownField || t.Kind() != types.MapKind || len(t.Parameters()) != 2 ||
		!t.Parameters()[0].IsExactType(types.StringType) || !t.Parameters()[1].IsExactType(types.StringType) {
		return "", false
	}
	return name, true
}

func isPayload(x celast.Expr) bool { return x.Kind() == celast.IdentKind && x.AsIdent() == "payload" }

func scalarOf(t *types.Type) (scalarKind, bool) {
	switch {
	case t.IsExactType(types.StringType):
		return kString, true
	case t.IsExactType(types.IntType):
		return kInt, true
	case t.IsExactType(types.DoubleType):
		return kDouble, true
	case t.IsExactType(types.BoolType):
		return kBool, true
	}
	return 0, false
}

func literal(v ref.Val) (scalar, bool) {
	switch x := v.(type) {
	case types.String:
		return scalar{kind: kString, s: string(x)}, true
	case types.Int:
		return scalar{kind: kInt, i: int64(x)}, true
	case types.Double:
		return scalar{kind: kDouble, f: float64(x)}, true
	case types.Bool:
		return scalar{kind: kBool, b: bool(x)}, true
	}
	return scalar{}, false
}

func mapEntry(field, key string) operand {
	return func(e *Event) (scalar, error) {
		m, err := mapField(e, field)
		if err != nil {
			return scalar{}, err
		}
		v, ok := m[key]
		if !ok {
			return scalar{}, fmt.Errorf("no such key: %s", key)
		}
		return scalar{kind: kString, s: v}, nil
	}
}

func mapField(e *Event, field string) (map[string]string, error) {
	p, err := e.nativePayload()
	if err != nil {
		return nil, err
	}
	if p.fields != nil {
		if m, ok := p.fields.Entries(field); ok {
			return m, nil
		}
	}
	raw, ok := p.field(field)
	if !ok {
		return nil, p.missing(field)
	}
	m, ok := raw.(map[string]string)
	if !ok {
		return nil, fmt.Errorf("payload.%s: a %T, not a map", field, raw)
	}
	return m, nil
}

// scalar returns field name as a scalar of kind (as celValue converts
// it).
func (p *Payload) scalar(name string, kind scalarKind) (scalar, error) {
	if v, ok := p.fieldScalar(name, kind); ok {
		return v, nil
	}
	raw, ok := p.field(name)
	if !ok {
		return scalar{}, p.missing(name)
	}
	switch x := raw.(type) {
	case string:
		if kind == kString {
			return scalar{kind: kString, s: x}, nil
		}
		f, err := strconv.ParseFloat(x, 64)
		if err != nil || kind != kDouble {
			return scalar{}, fmt.Errorf("payload.%s: %q is not a number", name, x)
		}
		return scalar{kind: kDouble, f: f}, nil
	case bool:
		return scalar{kind: kBool, b: x}, nil
	case int64:
		return scalar{kind: kInt, i: x}, nil
	}
	return scalar{}, fmt.Errorf("payload.%s: unexpected %T", name, raw)
}

// fieldScalar reads field name of kind from p's Fields without boxing
// it; false when p has none, or the field is absent or of another kind
// (scalar then says why).
func (p *Payload) fieldScalar(name string, kind scalarKind) (scalar, bool) {
	if p.fields == nil {
		return scalar{}, false
	}
	switch kind {
	case kString:
		s, ok := p.fields.Str(name)
		return scalar{kind: kString, s: s}, ok
	case kDouble:
		if s, ok := p.fields.Str(name); ok {
			f, err := strconv.ParseFloat(s, 64)
			return scalar{kind: kDouble, f: f}, err == nil
		}
	case kInt:
		i, ok := p.fields.Int(name)
		return scalar{kind: kInt, i: i}, ok
	case kBool:
		b, ok := p.fields.Bool(name)
		return scalar{kind: kBool, b: b}, ok
	}
	return scalar{}, false
}

func (p *Payload) missing(name string) error {
	return fmt.Errorf("no such key: %s (absent from this %s event; test it with has(payload.%s))", name, p.typ, name)
}

// nativePayload is the payload for the native evaluator.
func (e *Event) nativePayload() (*Payload, error) {
	v, _ := e.loadPayload()
	if e.payloadErr != nil {
		return nil, e.payloadErr
	}
	return v.(*Payload), nil
}
