package event

import (
	"bytes"
	"encoding/json"
	"maps"
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
