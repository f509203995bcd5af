package filter

import (
	"errors"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
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
