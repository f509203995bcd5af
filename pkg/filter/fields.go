package filter

import (
	"slices"
	"strings"

	"cel.dev/cel-go/common/types"

	"github.com/engagehub/engagehub/pkg/event"
)

// unknownField is the payload member that holds the fields the schema of
// the event's type does not list.
const unknownField = "unknown"

// celType is the CEL type of a payload field of kind k.
func celType(k event.Kind) *types.Type {
	switch k {
	case event.KindString, event.KindID:
		return types.StringType
	case event.KindBool:
		return types.BoolType
	case event.KindInt:
		return types.IntType
	case event.KindDecimal:
		return types.DoubleType
	case event.KindTimestamp:
		return types.TimestampType
	case event.KindAttributes:
		return types.NewMapType(types.StringType, types.StringType)
	case event.KindChannels:
		return types.NewListType(types.NewMapType(types.StringType, types.StringType))
	}
	return types.DynType
}

// selected returns the catalog types any of patterns selects, in catalog
// order.
func selected(patterns []string) []event.Type {
	var out []event.Type
	for _, spec := range event.Catalog() {
		for _, p := range patterns {
			if event.Match(p, spec.Type) {
				out = append(out, spec.Type)
				break
			}
		}
	}
	return out
}

// unionFields returns the payload fields of typs by name, each with its
// CEL type; a name two types give different kinds is dyn.
func unionFields(typs []event.Type) map[string]*types.Type {
	out := map[string]*types.Type{}
	for _, t := range typs {
		spec, _ := event.Lookup(t)
		for _, f := range spec.Fields {
			ct := celType(f.Kind)
			if prev, ok := out[f.Name]; ok && !prev.IsExactType(ct) {
				ct = types.DynType
			}
			out[f.Name] = ct
		}
	}
	if _, ok := out[unknownField]; !ok {
		out[unknownField] = types.NewMapType(types.StringType, types.DynType)
	}
	return out
}

// typesKey names a set of catalog types, for caching.
func typesKey(typs []event.Type) string {
	names := make([]string, len(typs))
	for i, t := range typs {
		names[i] = string(t)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// kindsOf returns each payload field's kind for type t (nil outside the
// catalog), by canonical name.
func kindsOf(t event.Type) map[string]event.Kind {
	return catalogKinds[t]
}

var catalogKinds = func() map[event.Type]map[string]event.Kind {
	out := map[event.Type]map[string]event.Kind{}
	for _, spec := range event.Catalog() {
		m := make(map[string]event.Kind, len(spec.Fields))
		for _, f := range spec.Fields {
			m[f.Name] = f.Kind
		}
		out[spec.Type] = m
	}
	return out
}()
