package filter

import (
	"slices"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// Needs are the parts of the payload an expression reads, so fan-out
// decodes only those (see schema.Projection).
type Needs struct {
	// Fields are the payload fields read by name (payload.x, has(payload.x),
	// payload.?x), sorted.
	Fields []string
	// All: the payload is used whole (compared, passed to a function).
	All bool
	// Unknown: payload.unknown is read, which needs the original JSON.
	Unknown bool
}

// Reads reports whether the expression reads the payload at all.
func (n Needs) Reads() bool { return n.All || n.Unknown || len(n.Fields) > 0 }

// needsOf walks the checked expression for uses of the payload variable.
func needsOf(ast *cel.Ast) Needs {
	var n Needs
	root := celast.NavigateAST(ast.NativeRep())
	for _, id := range celast.MatchDescendants(root, celast.KindMatcher(celast.IdentKind)) {
		if id.AsIdent() != "payload" {
			continue
		}
		field, ok := selectedField(id)
		switch {
		case !ok:
			n.All, n.Unknown = true, true
		case field == unknownField:
			n.Unknown = true
		default:
			n.Fields = append(n.Fields, field)
		}
	}
	slices.Sort(n.Fields)
	n.Fields = slices.Compact(n.Fields)
	return n
}

// selectedField returns the field that the payload identifier id is the
// operand of, if it is one: payload.x, has(payload.x) or payload.?x.
func selectedField(id celast.NavigableExpr) (string, bool) {
	parent, ok := id.Parent()
	if !ok {
		return "", false
	}
	switch parent.Kind() {
	case celast.SelectKind:
		return parent.AsSelect().FieldName(), true
	case celast.CallKind:
		call := parent.AsCall()
		if call.FunctionName() != operators.OptSelect || len(call.Args()) != 2 || call.Args()[0].ID() != id.ID() {
			return "", false
		}
		name, isString := call.Args()[1].AsLiteral().(types.String)
		return string(name), isString
	}
	return "", false
}
