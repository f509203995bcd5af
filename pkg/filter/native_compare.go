package filter

import (
	"errors"
	"math"
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// Comparisons of the native evaluator (see native.go), with cel-go's
// semantics.

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
