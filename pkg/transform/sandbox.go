package transform

import (
	"fmt"

	"github.com/dop251/goja"
)

// withheld are the globals a script does not get: raw memory buffers,
// the easiest way to allocate in bulk.
var withheld = []string{"ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "WebAssembly",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
	"Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"}

// maxCallDepth bounds recursion.
const maxCallDepth = 2000

// newSandbox returns a bare ECMAScript runtime (goja has no I/O, timers or
// modules unless given them) without withheld, whose built-ins that
// allocate or loop in proportion to an argument refuse large ones.
func newSandbox() *goja.Runtime {
	vm := goja.New()
	vm.SetMaxCallStackSize(maxCallDepth)
	for _, name := range withheld {
		_ = vm.GlobalObject().Delete(name)
	}
	guardStrings(vm)
	guardArrays(vm)
	return vm
}

// guardStrings bounds the strings repeat, padStart and padEnd build.
func guardStrings(vm *goja.Runtime) {
	proto := prototypeOf(vm, "String")
	wrap(vm, proto, "repeat", func(call goja.FunctionCall) error {
		n := call.Argument(0).ToFloat()
		if size := float64(len(call.This.String())) * n; size > MaxString {
			return fmt.Errorf("repeat would make a string of %.0f characters, more than %d", size, MaxString)
		}
		return nil
	})
	for _, name := range []string{"padStart", "padEnd"} {
		wrap(vm, proto, name, func(call goja.FunctionCall) error {
			if n := call.Argument(0).ToFloat(); n > MaxString {
				return fmt.Errorf("%s would make a string of %.0f characters, more than %d", name, n, MaxString)
			}
			return nil
		})
	}
}

// guardArrays makes every Array.prototype method, Array.from,
// Function.prototype.apply, Reflect.apply/construct and JSON.stringify
// refuse an array (or array-like) longer than MaxArray: they loop over
// its length in Go, where an interrupt cannot stop them.
func guardArrays(vm *goja.Runtime) {
	proto := prototypeOf(vm, "Array")
	for _, name := range proto.GetOwnPropertyNames() {
		if _, ok := goja.AssertFunction(proto.Get(name)); ok && name != "constructor" {
			wrap(vm, proto, name, func(call goja.FunctionCall) error { return checkLength(vm, name, call.This) })
		}
	}
	array := vm.Get("Array").ToObject(vm)
	wrap(vm, array, "from", func(call goja.FunctionCall) error { return checkLength(vm, "Array.from", call.Argument(0)) })
	wrap(vm, prototypeOf(vm, "Function"), "apply", func(call goja.FunctionCall) error { return checkLength(vm, "apply", call.Argument(1)) })
	reflect := vm.Get("Reflect").ToObject(vm)
	wrap(vm, reflect, "apply", func(call goja.FunctionCall) error { return checkLength(vm, "Reflect.apply", call.Argument(2)) })
	wrap(vm, reflect, "construct", func(call goja.FunctionCall) error { return checkLength(vm, "Reflect.construct", call.Argument(1)) })
	wrap(vm, vm.Get("JSON").ToObject(vm), "stringify", func(call goja.FunctionCall) error { return checkLength(vm, "JSON.stringify", call.Argument(0)) })
}

// checkLength refuses an object whose length is over MaxArray.
func checkLength(vm *goja.Runtime, what string, v goja.Value) error {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	if n := obj.Get("length"); n != nil && n.ToFloat() > MaxArray {
		return fmt.Errorf("%s of an array of length %.0f, more than %d", what, n.ToFloat(), MaxArray)
	}
	return nil
}

func prototypeOf(vm *goja.Runtime, ctor string) *goja.Object {
	return vm.Get(ctor).ToObject(vm).Get("prototype").ToObject(vm)
}

// wrap replaces obj[name] by a function that throws a RangeError when
// check fails and calls the original otherwise.
func wrap(vm *goja.Runtime, obj *goja.Object, name string, check func(goja.FunctionCall) error) {
	orig, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		return
	}
	rangeError := vm.Get("RangeError")
	_ = obj.DefineDataProperty(name, vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if err := check(call); err != nil {
			e, _ := vm.New(rangeError, vm.ToValue(err.Error()))
			panic(e)
		}
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err) // rethrow the exception (or the interrupt) as it was
		}
		return v
	}), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}
