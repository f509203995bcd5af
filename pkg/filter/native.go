package filter

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// The native evaluator runs the expressions most filters are — &&, ||
// and ! over comparisons of a variable or payload field with literals,
// has(), in [literals], startsWith/endsWith/contains — as Go closures
// over the checked expression, with CEL's semantics: errors absorbed by
// && and || as CEL absorbs them, exact int/double comparisons, the same
// "no such key" errors. Anything else runs in cel-go's interpreter.
//
// Why not cel-go alone: in fan-out the interpreter's generic frame
// (attribute resolution, qualifiers, boxed values) cost ~2 µs per event
// with one subscription, a third of copying the event; these closures
// cost a tenth of that (BenchmarkMatch). A differential test holds them
// to cel-go's verdicts (TestNativeAgreesWithCEL).

// predicate is a compiled bool expression.
type predicate func(e *Event) (bool, error)

// operand is a compiled scalar expression: a variable, a payload field
// or a literal.
type operand func(e *Event) (scalar, error)

// scalar is a CEL string, int, double or bool.
type scalar struct {
	kind scalarKind
	s    string
	i    int64
	f    float64
	b    bool
}

type scalarKind uint8

const (
	kString scalarKind = iota + 1
	kInt
	kDouble
	kBool
)

var errNotNative = errors.New("filter: not natively evaluable")

// native compiles the checked ast, or returns errNotNative.
func native(ast *cel.Ast) (predicate, error) {
	n := ast.NativeRep()
	return (&nativeCompiler{ast: n}).pred(n.Expr())
}

type nativeCompiler struct{ ast *celast.AST }

func (c *nativeCompiler) pred(x celast.Expr) (predicate, error) {
	switch x.Kind() {
	case celast.LiteralKind:
		if b, ok := x.AsLiteral().(types.Bool); ok {
			return func(*Event) (bool, error) { return bool(b), nil }, nil
		}
	case celast.SelectKind:
		if x.AsSelect().IsTestOnly() {
			return c.has(x.AsSelect())
		}
		return c.boolOperand(x)
	case celast.IdentKind:
		return c.boolOperand(x)
	case celast.CallKind:
		return c.call(x.AsCall())
	}
	return nil, errNotNative
}

func (c *nativeCompiler) call(call celast.CallExpr) (predicate, error) {
	args := call.Args()
	switch fn := call.FunctionName(); {
	case fn == operators.LogicalAnd && len(args) == 2:
		return c.logical(args, and)
	case fn == operators.LogicalOr && len(args) == 2:
		return c.logical(args, or)
	case fn == operators.LogicalNot && len(args) == 1:
		p, err := c.pred(args[0])
		if err != nil {
			return nil, err
		}
		return func(e *Event) (bool, error) { b, err := p(e); return !b, err }, nil
	case fn == operators.In && len(args) == 2:
		return c.in(args[0], args[1])
	case compareOps[fn] != 0 && len(args) == 2:
		return c.compare(compareOps[fn], args[0], args[1])
	case stringOps[fn] != nil && call.IsMemberFunction() && len(args) == 1:
		return c.stringOp(stringOps[fn], call.Target(), args[0])
	}
	return nil, errNotNative
}

type junction func(l, r predicate) predicate

// and is CEL's &&: false if either side is false, even when the other
// is an error; an error otherwise if either side is one.
func and(l, r predicate) predicate {
	return func(e *Event) (bool, error) {
		lb, lerr := l(e)
		if lerr == nil && !lb {
			return false, nil
		}
		rb, rerr := r(e)
		switch {
		case rerr == nil && !rb:
			return false, nil
		case lerr != nil:
			return false, lerr
		}
		return rb, rerr
	}
}

// or is CEL's ||, the dual of and.
func or(l, r predicate) predicate {
	return func(e *Event) (bool, error) {
		lb, lerr := l(e)
		if lerr == nil && lb {
			return true, nil
		}
		rb, rerr := r(e)
		switch {
		case rerr == nil && rb:
			return true, nil
		case lerr != nil:
			return false, lerr
		}
		return false, rerr
	}
}

func (c *nativeCompiler) logical(args []celast.Expr, j junction) (predicate, error) {
	l, err := c.pred(args[0])
	if err != nil {
		return nil, err
	}
	r, err := c.pred(args[1])
	if err != nil {
		return nil, err
	}
	return j(l, r), nil
}

// has compiles has(payload.f) and has(payload.m.k).
func (c *nativeCompiler) has(sel celast.SelectExpr) (predicate, error) {
	name, operand := sel.FieldName(), sel.Operand()
	if isPayload(operand) {
		return func(e *Event) (bool, error) {
			p, err := e.nativePayload()
			if err != nil {
				return false, err
			}
			return p.has(name), nil
		}, nil
	}
	field, ok := c.payloadMap(operand)
	if !ok {
		return nil, errNotNative
	}
	return func(e *Event) (bool, error) {
		m, err := mapField(e, field)
		if err != nil {
			return false, err
		}
		_, ok := m[name]
		return ok, nil
	}, nil
}

func (c *nativeCompiler) boolOperand(x celast.Expr) (predicate, error) {
	o, kind, ok := c.operand(x)
	if !ok || kind != kBool {
		return nil, errNotNative
	}
	return func(e *Event) (bool, error) { v, err := o(e); return v.b, err }, nil
}

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
	raw, ok := p.typed[field]
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
	raw, ok := p.typed[name]
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

// comparison is a comparison operator.
type comparison uint8

const (
	opEq comparison = iota + 1
	opNe
	opLt
	opLe
	opGt
	opGe
)

var compareOps = map[string]comparison{
	operators.Equals: opEq, operators.NotEquals: opNe,
	operators.Less: opLt, operators.LessEquals: opLe,
	operators.Greater: opGt, operators.GreaterEquals: opGe,
}

func (c *nativeCompiler) compare(op comparison, l, r celast.Expr) (predicate, error) {
	lo, lk, lok := c.operand(l)
	ro, rk, rok := c.operand(r)
	if !lok || !rok || !comparable(lk, rk) || (lk == kBool && op > opNe) {
		return nil, errNotNative
	}
	return binary(lo, ro, func(a, b scalar) (bool, error) { return compareScalars(op, a, b) }), nil
}

// binary evaluates l, then r, and applies f to their values; an error of
// either is the result.
func binary(l, r operand, f func(a, b scalar) (bool, error)) predicate {
	return func(e *Event) (bool, error) {
		a, err := l(e)
		if err != nil {
			return false, err
		}
		b, err := r(e)
		if err != nil {
			return false, err
		}
		return f(a, b)
	}
}

// comparable: same kinds, or int and double (CrossTypeNumericComparisons).
func comparable(a, b scalarKind) bool {
	return a == b || (a == kInt || a == kDouble) && (b == kInt || b == kDouble)
}

func compareScalars(op comparison, a, b scalar) (bool, error) {
	var c int
	switch {
	case a.kind == kString:
		c = strings.Compare(a.s, b.s)
	case a.kind == kBool:
		return (a.b == b.b) == (op == opEq), nil
	case a.kind == kInt && b.kind == kInt:
		c = cmpInt(a.i, b.i)
	case a.kind == kDouble && b.kind == kDouble:
		return compareDoubles(op, a.f, b.f), nil
	default:
		return compareNumbers(op, a, b)
	}
	return op.holds(c), nil
}

func (op comparison) holds(c int) bool {
	switch op {
	case opEq:
		return c == 0
	case opNe:
		return c != 0
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	case opGt:
		return c > 0
	}
	return c >= 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareDoubles is IEEE: NaN equal to nothing, below and above nothing
// (as cel-go's overloads).
func compareDoubles(op comparison, a, b float64) bool {
	switch op {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opLe:
		return a <= b
	case opGt:
		return a > b
	}
	return a >= b
}

// compareNumbers compares an int with a double as cel-go does: exactly, NaN equal to nothing and below, above nothing.
func compareNumbers(op comparison, a, b scalar) (bool, error) {
	av, bv := a.celValue(), b.celValue()
	if op == opEq || op == opNe {
		eq := av.Equal(bv) == types.True
		return eq == (op == opEq), nil
	}
	if (a.kind == kDouble && math.IsNaN(a.f)) || (b.kind == kDouble && math.IsNaN(b.f)) {
		return false, nil // as cel-go's <, <=, >, >=
	}
	cmp, ok := av.(interface{ Compare(ref.Val) ref.Val }).Compare(bv).(types.Int)
	if !ok {
		return false, errors.New("no such overload")
	}
	return op.holds(int(cmp)), nil
}

func (s scalar) celValue() ref.Val {
	if s.kind == kInt {
		return types.Int(s.i)
	}
	return types.Double(s.f)
}

// in compiles operand in [literal, ...].
func (c *nativeCompiler) in(x, list celast.Expr) (predicate, error) {
	o, kind, ok := c.operand(x)
	if !ok || list.Kind() != celast.ListKind || len(list.AsList().OptionalIndices()) > 0 {
		return nil, errNotNative
	}
	var items []scalar
	for _, el := range list.AsList().Elements() {
		v, isLit := literal(el.AsLiteral())
		if el.Kind() != celast.LiteralKind || !isLit || !comparable(kind, v.kind) {
			return nil, errNotNative
		}
		items = append(items, v)
	}
	return func(e *Event) (bool, error) {
		v, err := o(e)
		if err != nil {
			return false, err
		}
		for _, it := range items {
			if eq, _ := compareScalars(opEq, v, it); eq {
				return true, nil
			}
		}
		return false, nil
	}, nil
}

var stringOps = map[string]func(s, arg string) bool{
	"startsWith": strings.HasPrefix,
	"endsWith":   strings.HasSuffix,
	"contains":   strings.Contains,
}

func (c *nativeCompiler) stringOp(fn func(s, arg string) bool, target, arg celast.Expr) (predicate, error) {
	to, tk, tok := c.operand(target)
	ao, ak, aok := c.operand(arg)
	if !tok || !aok || tk != kString || ak != kString {
		return nil, errNotNative
	}
	return binary(to, ao, func(t, a scalar) (bool, error) { return fn(t.s, a.s), nil }), nil
}
