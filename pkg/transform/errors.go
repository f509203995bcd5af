package transform

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Limit breaches; a call's error wraps one of them.
var (
	ErrTimeLimit   = errors.New("transform: time limit exceeded")
	ErrMemoryLimit = errors.New("transform: memory limit exceeded")
	ErrOutputLimit = errors.New("transform: output limit exceeded")
)

// Error is a failure of a script: its compilation, an exception it threw,
// a limit it broke, or what it returned.
type Error struct {
	// Line and Column locate the script where it failed, 1-based; 0 when
	// the failure has no place in the script (e.g. a bad return value).
	Line, Column int
	Message      string
	// Err is the limit broken, if any (ErrTimeLimit, ErrMemoryLimit,
	// ErrOutputLimit).
	Err error
}

// Error returns "line L:C: message", or the message alone.
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("line %d:%d: %s", e.Line, e.Column, e.Message)
}

// Unwrap returns the limit broken, if any.
func (e *Error) Unwrap() error { return e.Err }

// scriptName is the file name the script compiles under.
const scriptName = "transform.js"

// compileFailure turns goja's parse and compile errors into an *Error.
func compileFailure(err error) *Error {
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		p := list[0].Position
		return &Error{Line: p.Line, Column: p.Column, Message: "SyntaxError: " + list[0].Message}
	}
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) && se.File != nil {
		p := se.File.Position(se.Offset)
		return &Error{Line: p.Line, Column: p.Column, Message: "SyntaxError: " + se.Message}
	}
	return &Error{Message: err.Error()}
}

// runFailure turns what a call of the handler returned as error into an
// *Error at the innermost place of the script on the stack.
func runFailure(err error) *Error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		limit, _ := ie.Value().(error)
		out := &Error{Message: fmt.Sprint(ie.Value()), Err: limit}
		out.Line, out.Column = position(ie.Stack())
		return out
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		out := &Error{Message: exceptionMessage(ex)}
		out.Line, out.Column = position(ex.Stack())
		return out
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		out := &Error{Message: "RangeError: maximum call stack size exceeded"}
		out.Line, out.Column = position(so.Stack())
		return out
	}
	return &Error{Message: err.Error()}
}

func exceptionMessage(ex *goja.Exception) string {
	if ex.Value() == nil {
		return "exception"
	}
	msg := ex.Value().String()
	return strings.TrimPrefix(msg, "Error: Error: ")
}

func position(stack []goja.StackFrame) (line, col int) {
	for _, f := range stack {
		if f.SrcName() == scriptName {
			p := f.Position()
			return p.Line, p.Column
		}
	}
	return 0, 0
}
