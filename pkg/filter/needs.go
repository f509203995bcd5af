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
	// Entries lists, for a map field of Fields read only at constant keys
	// (payload.attributes.email, has(payload.attributes.email),
	// payload.attributes["email"]), those keys, sorted; a map field read
	// any other way (or a field that is not a map) has none.
	Entries map[string][]string
}

// Reads reports whether the expression reads the payload at all.
func (n Needs) Reads() bool { return n.All || n.Unknown || len(n.Fields) > 0 }

// needsOf walks the checked expression for uses of the payload variable.
func needsOf(ast *cel.Ast) Needs {
	var n Needs
	entries, whole := map[string][]string{}, map[string]bool{}
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
			if key, isEntry := entryRead(id, ast); isEntry {
				entries[field] = append(entries[field], key)
			} else {
				whole[field] = true
			}
		}
	}
	slices.Sort(n.Fields)
	n.Fields = slices.Compact(n.Fields)
	for field, keys := range entries {
		if !whole[field] {
			slices.Sort(keys)
			if n.Entries == nil {
				n.Entries = map[string][]string{}
			}
			n.Entries[field] = slices.Compact(keys)
		}
	}
	return n
}

// entryRead reports whether the payload identifier id is read as
// payload.m.k, has(payload.m.k) or payload.m["k"] for a map field m, and
// returns k.
func entryRead(id celast.NavigableExpr, ast *cel.Ast) (string, bool) {
	sel, _ := id.Parent() // payload.m: selectedField found it
	if sel.Kind() != celast.SelectKind || sel.AsSelect().IsTestOnly() || ast.NativeRep().GetType(sel.ID()).Kind() != types.MapKind {
		return "", false
	}
	use, ok := sel.Parent()
	if !ok {
		return "", false
	}
	switch use.Kind() {
	case celast.SelectKind:
		return use.AsSelect().FieldName(), true
	case celast.CallKind:
		call := use.AsCall()
		if call.FunctionName() != operators.Index || len(call.Args()) != 2 || call.Args()[0].ID() != sel.ID() || call.Args()[1].Kind() != celast.LiteralKind {
			return "", false
		}
		key, isString := call.Args()[1].AsLiteral().(types.String)
		return string(key), isString
	}
	return "", false
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
