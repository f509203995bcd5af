package transform

import (
	"testing"

	"github.com/dop251/goja"
)

// TestAppendJSONIsJSONStringify holds appendJSON to goja's
// JSON.stringify, byte for byte, on what payloads are made of, and checks
// it leaves everything else to goja.
func TestAppendJSONIsJSONStringify(t *testing.T) {
	vm := newSandbox()
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	for _, c := range []struct {
		js   string
		fast bool
	}{
		{`({id: "e1", n: 3, f: 1.5, big: 1e21, small: 1e-7, tiny: 5e-324, neg: -0, nan: NaN, inf: -Infinity, t: true, z: null})`, true},
		{`({s: "quote \" backslash \\ nl \n tab \t cr \r bs \b ff \f nul \u0000 us \u001f del \u007f", u: "Åsa ✓ 😀 \u2028"})`, true},
		{`({nested: {a: [1, "two", [3, {four: 4}]], empty: {}, none: []}})`, true},
		{`({skip: undefined, fn: function() {}, sym: Symbol("x"), keep: 1})`, true},
		{`[undefined, function() {}, Symbol("y"), null, 2]`, true},
		{`({2: "b", 1: "a", x: "c", "": "empty key", "k\"ey": 1})`, true},
		{`(() => { const a = [1, 2]; a[5] = 6; return a })()`, true},
		{`({n: 123456789012, m: -42, half: 0.5, third: 1/3, e20: 1e20, em6: 0.000001})`, true},
		{`"just a string"`, true},
		{`42`, true},
		{`({when: new Date(0)})`, false},
		{`({v: {toJSON() { return "custom" }}})`, false},
		{`({boxed: new Number(3)})`, false},
		{`({m: new Map([["k", 1]])})`, true}, // {} in both: a Map has no own enumerable properties
		{`({big: 10n})`, false},
		{`({lone: "\ud800"})`, false},
	} {
		v, err := vm.RunString(c.js)
		if err != nil {
			t.Fatalf("%s: %v", c.js, err)
		}
		got, ok := appendJSON(nil, v, 0)
		if ok != c.fast {
			t.Errorf("%s: fast path %t, want %t", c.js, ok, c.fast)
			continue
		}
		if !ok {
			continue
		}
		want, err := stringify(goja.Undefined(), v)
		if err != nil {
			t.Fatalf("%s: JSON.stringify: %v", c.js, err)
		}
		if string(got) != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", c.js, got, want.String())
		}
	}
}

// A cycle is left to goja, which refuses it.
func TestAppendJSONLeavesACycleToGoja(t *testing.T) {
	vm := newSandbox()
	v, err := vm.RunString(`(() => { const o = {}; o.self = o; return o })()`)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := appendJSON(nil, v, 0); ok {
		t.Fatal("a cycle was written")
	}
}
