package filter

import (
	"errors"
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/engagehub/engagehub/pkg/event"
)

// Error is a problem with an expression, at a position of it.
type Error struct {
	// Line and Column are 1-based; 0 when the problem has no position.
	Line, Column int
	Message      string
}

// Error returns "line:column: message" (or the message alone).
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Message)
}

// CompileError lists every problem the parser and the type checker found.
type CompileError struct {
	Problems []*Error
}

// Error joins the problems with "; ".
func (e *CompileError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return strings.Join(parts, "; ")
}

// Program is a compiled expression, safe for concurrent use.
type Program struct {
	expr  string
	prg   cel.Program
	fast  predicate // nil: the expression needs the interpreter
	needs Needs
}

// Compile parses and type-checks expr against the payload schemas of the
// catalog types that eventTypes (a subscription's patterns) select, and
// returns the program. A bad expression is a *CompileError whose problems
// carry their positions; an expression that is not a bool is one too.
func Compile(expr string, eventTypes []string) (*Program, error) {
	if len(expr) > MaxLength {
		return nil, &CompileError{Problems: []*Error{{Message: fmt.Sprintf("longer than %d bytes", MaxLength)}}}
	}
	env, err := envFor(selected(eventTypes))
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, compileError(iss)
	}
	if !ast.OutputType().IsExactType(types.BoolType) && ast.OutputType() != types.DynType {
		return nil, &CompileError{Problems: []*Error{{Line: 1, Column: 1,
			Message: fmt.Sprintf("the expression is a %s, want a bool", ast.OutputType())}}}
	}
	if err := checkCost(env, ast); err != nil {
		return nil, err
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, &CompileError{Problems: []*Error{{Message: err.Error()}}}
	}
	out := &Program{expr: expr, prg: prg, needs: needsOf(ast)}
	if fast, err := native(ast); err == nil {
		out.fast = fast
	}
	return out, nil
}

func compileError(iss *cel.Issues) error {
	out := &CompileError{}
	for _, e := range iss.Errors() {
		line, col := e.Location.Line(), e.Location.Column()+1
		if line <= 0 {
			line, col = 0, 0
		}
		out.Problems = append(out.Problems, &Error{Line: line, Column: col, Message: e.Message})
	}
	return out
}

// Check compiles expr for a subscription to eventTypes and returns only
// the error (see Compile).
func Check(expr string, eventTypes []string) error {
	_, err := Compile(expr, eventTypes)
	return err
}

// Needs returns what of the payload the program reads.
func (p *Program) Needs() Needs { return p.needs }

// String returns the expression.
func (p *Program) String() string { return p.expr }

// Match evaluates the program on ev. An evaluation error (a missing field
// read without has(), the payload not decodable) means no match, and is
// returned.
func (p *Program) Match(ev *Event) (bool, error) {
	if p.fast != nil {
		ok, err := p.fast(ev)
		if err != nil {
			return false, fmt.Errorf("filter: %w", err)
		}
		return ok, nil
	}
	out, _, err := p.prg.Eval(ev)
	if err != nil {
		return false, fmt.Errorf("filter: %w", err)
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, errors.New("filter: the expression did not yield a bool")
	}
	return b, nil
}

// Types returns the catalog types an expression over eventTypes is
// checked against.
func Types(eventTypes []string) []event.Type { return selected(eventTypes) }
