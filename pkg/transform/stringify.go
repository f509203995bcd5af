package transform

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// appendJSON appends JSON.stringify(v) for the values a transformation's
// payload is made of — plain objects and arrays of strings, numbers,
// booleans and null, however nested — and reports false for anything
// else (a Date, an object with toJSON, a boxed primitive, a Map, more
// than maxStringifyDepth levels, which may be a cycle, a string that held a lone
// surrogate, which goja hands out as U+FFFD): the caller then runs goja's
// JSON.stringify, which knows all of JavaScript.
//
// Why not goja's alone: it writes strings a rune at a time, and the
// stringify of the returned payload was a third of a typical call
// (BenchmarkRun); this copies runs of plain characters at once. The
// output is byte for byte JSON.stringify's (TestAppendJSONIsJSONStringify).
func appendJSON(b []byte, v goja.Value, depth int) ([]byte, bool) {
	o, isObject := v.(*goja.Object)
	if !isObject {
		return appendPrimitive(b, v)
	}
	if toJSON := o.Get("toJSON"); depth > maxStringifyDepth || toJSON != nil && !goja.IsUndefined(toJSON) {
		return b, false
	}
	switch o.ClassName() {
	case "Object":
		return appendObject(b, o, depth)
	case "Array":
		return appendArray(b, o, depth)
	}
	return b, false
}

// maxStringifyDepth is as deep as appendJSON goes before leaving a value to goja
// (which finds cycles).
const maxStringifyDepth = 64

func appendPrimitive(b []byte, v goja.Value) ([]byte, bool) {
	switch x := v.Export().(type) {
	case nil:
		return append(b, "null"...), goja.IsNull(v)
	case bool:
		return strconv.AppendBool(b, x), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case float64:
		return appendNumber(b, x), true
	case string:
		return appendString(b, x), !strings.Contains(x, "\uFFFD")
	}
	return b, false // a symbol, a BigInt
}

// appendNumber writes f as JavaScript's Number#toString does (NaN and
// the infinities as null, as JSON.stringify does).
func appendNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == 0 {
		return append(b, '0') // and -0
	}
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // 1e-07 → 1e-7
		b = b[:n-1]
	}
	return b
}

// skipped reports whether JSON.stringify leaves v out of an object (and
// writes null for it in an array).
func skipped(v goja.Value) bool {
	if v == nil || goja.IsUndefined(v) {
		return true
	}
	if _, isSymbol := v.(*goja.Symbol); isSymbol {
		return true
	}
	_, isFunction := goja.AssertFunction(v)
	return isFunction
}

func appendObject(b []byte, o *goja.Object, depth int) ([]byte, bool) {
	b = append(b, '{')
	first := true
	for _, k := range o.Keys() {
		v := o.Get(k)
		if skipped(v) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		if strings.Contains(k, "\uFFFD") {
			return b, false
		}
		b = appendString(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = appendJSON(b, v, depth+1); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

func appendArray(b []byte, o *goja.Object, depth int) ([]byte, bool) {
	b = append(b, '[')
	n := o.Get("length").ToInteger()
	for i := int64(0); i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		v := o.Get(strconv.FormatInt(i, 10))
		if skipped(v) {
			b = append(b, "null"...)
			continue
		}
		var ok bool
		if b, ok = appendJSON(b, v, depth+1); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

// appendString quotes s as JSON.stringify does: ", \ and control
// characters escaped, everything else as is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	return append(append(b, s[start:]...), '"')
}

const hex = "0123456789abcdef"
