package filter

import (
	"fmt"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
)

// Bounds of the static cost estimate. Evaluation is not metered (metering
// doubles its cost); instead an expression whose worst case, over events
// whose strings, lists and maps are within these sizes, is above maxCost
// is refused at compile time. Without loops, only comprehensions (all,
// exists, map, filter) over lists and maps can make an expression costly.
const (
	maxCost       = 1_000_000 // cel-go cost units: about one per operation
	maxStringSize = 64 << 10
	maxListSize   = 1000
)

// sizes bounds every variable-derived value for the estimate.
type sizes struct{}

// EstimateSize implements cost.Estimator.
func (sizes) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if len(n.Path()) == 0 {
		return nil
	}
	max := uint64(maxListSize)
	if t := n.Type(); t != nil && (t.TypeName() == "string" || t.TypeName() == "bytes") {
		max = maxStringSize
	}
	return &cost.SizeEstimate{Min: 0, Max: max}
}

// EstimateCallCost implements cost.Estimator: cel-go's defaults.
func (sizes) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// checkCost refuses an expression whose worst-case cost is above maxCost.
func checkCost(env *cel.Env, ast *cel.Ast) error {
	est, err := env.EstimateCost(ast, sizes{})
	if err != nil {
		return &CompileError{Problems: []*Error{{Message: "cannot estimate the cost: " + err.Error()}}}
	}
	if est.Max > maxCost {
		return &CompileError{Problems: []*Error{{Line: 1, Column: 1, Message: fmt.Sprintf(
			"the expression may cost up to %d evaluation steps on an event, more than %d: nest fewer comprehensions (all, exists, map, filter)", est.Max, maxCost)}}}
	}
	return nil
}
