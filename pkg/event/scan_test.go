package event

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
)

// scanCases are inputs on which members and elements must agree with
// encoding/json; FuzzScanAgreesWithEncodingJSON starts from them.
var scanCases = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":1,}`, `{"a" : [1, 2, {"b": null}] , "c":"x"}`,
	`{"a":1}x`, `{"a":1} {}`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":1,"a":2}`,
	`{"k\u00e9y":"v\n","\ud83d\ude00":true}`, "{\"a\":\"\xff\"}", "{\"\xff\":1}", "{\"a\":\"\x01\"}",
	`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":-0.5e+10}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`,
	`{"a":.5}`, `{"a":tru}`, `{"a":nulll}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[]}`, `{"a":{"b":{}}}`,
	`null`, `[1,2]`, `"s"`, `1`, ``, `{`, `{"a":1`, `{"a":"1}`, `[1, "x", {"y": [ ]}, null]`, `[]`, ` [ ] `, `[1 2]`,
	strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001), `{"a":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}`,
}

func TestScanAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range scanCases {
		name := in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) { checkScan(t, []byte(in)) })
	}
}

func FuzzScanAgreesWithEncodingJSON(f *testing.F) {
	for _, in := range scanCases {
		f.Add([]byte(in))
	}
	for _, s := range Catalog() {
		f.Add(s.Example)
	}
	f.Fuzz(checkScan)
}

// checkScan compares members, elements and unquote on in with
// encoding/json decoding into a map, a slice and strings.
func checkScan(t *testing.T, in []byte) {
	ms, ok := members(in, nil)
	var obj map[string]json.RawMessage
	wantObj := json.Unmarshal(in, &obj) == nil && obj != nil
	if ok != wantObj {
		t.Fatalf("members(%q) ok = %v, encoding/json %v", in, ok, wantObj)
	}
	if ok {
		got := map[string]json.RawMessage{}
		for _, m := range ms {
			got[string(m.key)] = m.val
		}
		if !maps.EqualFunc(got, obj, func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
			t.Fatalf("members(%q) = %q, encoding/json %q", in, got, obj)
		}
		for _, m := range ms {
			checkUnquote(t, m.val)
		}
	}
	items, ok := elements(in, nil)
	var arr []json.RawMessage
	wantArr := json.Unmarshal(in, &arr) == nil && arr != nil
	if ok != wantArr {
		t.Fatalf("elements(%q) ok = %v, encoding/json %v", in, ok, wantArr)
	}
	for i := range items {
		if ok && !bytes.Equal(items[i], arr[i]) {
			t.Fatalf("elements(%q)[%d] = %q, encoding/json %q", in, i, items[i], arr[i])
		}
	}
	s := scanner{data: in}
	s.space()
	if valid := s.value() && s.end(); valid != json.Valid(in) {
		t.Fatalf("value(%q) = %v, json.Valid %v", in, valid, !valid)
	}
}

func checkUnquote(t *testing.T, v []byte) {
	var want string
	if json.Unmarshal(v, &want) != nil {
		return
	}
	if got, ok := text(v); !ok || got != want {
		t.Fatalf("text(%q) = %q, %v, encoding/json %q", v, got, ok, want)
	}
}

// hasControl tests eight bytes at a time: it must agree with a byte loop
// for every byte value at every position, whatever bytes surround it.
func TestHasControlAgreesWithAByteLoop(t *testing.T) {
	naive := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 {
				return true
			}
		}
		return false
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, fill := range []byte{'a', 0x20, 0x7f, 0x80, 0xff} {
		for n := range 20 {
			for pos := range n {
				for c := range 256 {
					b := bytes.Repeat([]byte{fill}, n)
					b[pos] = byte(c)
					if got, want := hasControl(b), naive(b); got != want {
						t.Fatalf("len %d, fill %#x, byte %#x at %d: hasControl %v, want %v", n, fill, c, pos, got, want)
					}
				}
			}
		}
	}
	for range 100000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(0x1c + rng.IntN(256-0x1c)) // mostly above 0x20, now and then below
		}
		if got, want := hasControl(b), naive(b); got != want {
			t.Fatalf("%q: hasControl %v, want %v", b, got, want)
		}
	}
}
