package transform

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Script is a compiled transformation, safe for concurrent use: each call
// takes a runtime from its pool (making one when the pool is empty) and
// gives it back unless the call broke a limit.
type Script struct {
	src  string
	prg  *goja.Program
	cfg  Config
	pool sync.Pool // *instance
}

// instance is one sandbox with the script loaded.
type instance struct {
	vm        *goja.Runtime
	handler   goja.Callable
	stringify goja.Callable
}

// MaxLength is the longest script accepted, in bytes.
const MaxLength = 64 << 10

// Compile compiles src, runs its top level once (within cfg's limits) and
// checks that it defines function handler(webhook). Errors are *Error with
// the line and column.
func Compile(src string, cfg Config) (*Script, error) {
	if len(src) > MaxLength {
		return nil, &Error{Message: fmt.Sprintf("the script is longer than %d bytes", MaxLength)}
	}
	ast, err := parser.ParseFile(nil, scriptName, src, 0)
	if err != nil {
		return nil, compileFailure(err)
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, compileFailure(err)
	}
	s := &Script{src: src, prg: prg, cfg: cfg}
	rt, err := s.newRuntime()
	if err != nil {
		return nil, err
	}
	s.pool.Put(rt)
	return s, nil
}

// String returns the source.
func (s *Script) String() string { return s.src }

func (s *Script) newRuntime() (*instance, error) {
	vm := newSandbox()
	rt := &instance{vm: vm}
	w := startWatch(vm, s.cfg)
	_, err := vm.RunProgram(s.prg)
	w.stop()
	if err != nil {
		return nil, runFailure(err)
	}
	h, ok := goja.AssertFunction(vm.Get("handler"))
	if !ok {
		return nil, &Error{Message: "the script must define function handler(webhook)"}
	}
	rt.handler = h
	json := vm.Get("JSON").ToObject(vm)
	rt.stringify, _ = goja.AssertFunction(json.Get("stringify"))
	return rt, nil
}

func (s *Script) instance() (*instance, error) {
	if rt, ok := s.pool.Get().(*instance); ok {
		return rt, nil
	}
	return s.newRuntime()
}

// Run calls handler(webhook) on in and returns what it made of it. A
// failure is an *Error (wrapping ErrTimeLimit, ErrMemoryLimit or
// ErrOutputLimit for a limit); ctx done interrupts the call with ctx's
// error.
func (s *Script) Run(ctx context.Context, in Webhook) (Webhook, error) {
	rt, err := s.instance()
	if err != nil {
		return Webhook{}, err
	}
	w := startWatch(rt.vm, s.cfg)
	stopCtx := context.AfterFunc(ctx, func() { w.cancel(ctx.Err()) })
	out, err := rt.call(in, s.cfg.MaxOutputBytes)
	stopCtx()
	if w.stop() {
		rt.vm.ClearInterrupt()
		return Webhook{}, err // the runtime stopped mid-script: not reused
	}
	s.pool.Put(rt)
	return out, err
}

func (rt *instance) call(in Webhook, maxOutput int) (Webhook, error) {
	obj, err := rt.toJS(in)
	if err != nil {
		return Webhook{}, &Error{Message: err.Error()}
	}
	res, err := rt.handler(goja.Undefined(), obj)
	if err != nil {
		return Webhook{}, runFailure(err)
	}
	out, err := rt.fromJS(res, in, maxOutput)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return Webhook{}, e
		}
		return Webhook{}, &Error{Message: err.Error(), Err: errors.Unwrap(err)}
	}
	return out, nil
}
