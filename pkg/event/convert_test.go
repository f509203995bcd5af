package event

import (
	"encoding/json"
	"testing"
	"time"
)

func TestConvertAcceptsTolerantForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind Kind
		in   string
		want any
	}{
		{KindDecimal, `12.5`, "12.5"},
		{KindDecimal, `"12.5"`, "12.5"},
		{KindDecimal, `"12.50"`, "12.50"},
		{KindDecimal, `-3`, "-3"},
		{KindDecimal, `1.5e2`, "150"},
		{KindDecimal, `1e-3`, "0.001"},
		{KindInt, `"42"`, int64(42)},
		{KindInt, `42`, int64(42)},
		{KindID, `42`, "42"},
		{KindID, `"abc"`, "abc"},
		{KindBool, `"TRUE"`, true},
		{KindBool, `false`, false},
		{KindTimestamp, `"2024-05-14T11:02:45.1234+02:00"`, time.Date(2024, 5, 14, 9, 2, 45, 123e6, time.UTC)},
		{KindTimestamp, `"2024-05-14"`, time.Date(2024, 5, 14, 0, 0, 0, 0, time.UTC)},
		{KindTimestamp, `"2024-05-14 10:00:00"`, time.Date(2024, 5, 14, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String()+"/"+tt.in, func(t *testing.T) {
			t.Parallel()
			got, ferr := convert(Field{Name: "f", Kind: tt.kind}, "payload.f", json.RawMessage(tt.in))
			if ferr != nil {
				t.Fatalf("convert: %v", ferr)
			}
			if tm, ok := tt.want.(time.Time); ok {
				if !tm.Equal(got.(time.Time)) {
					t.Fatalf("got %v, want %v", got, tm)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestConvertRejectsWrongTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind Kind
		in   string
	}{
		{KindDecimal, `"12,5"`},
		{KindDecimal, `true`},
		{KindDecimal, `"1e400000000000"`},
		{KindDecimal, `1e-999999`},
		{KindInt, `1.5`},
		{KindInt, `"x"`},
		{KindID, `1.5`},
		{KindID, `{}`},
		{KindBool, `1`},
		{KindString, `1`},
		{KindTimestamp, `"yesterday"`},
		{KindTimestamp, `1700000000`},
		{KindAttributes, `[]`},
		{KindChannels, `{}`},
		{KindChannels, `[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String()+"/"+tt.in, func(t *testing.T) {
			t.Parallel()
			if got, ferr := convert(Field{Name: "f", Kind: tt.kind}, "payload.f", json.RawMessage(tt.in)); ferr == nil {
				t.Fatalf("convert = %#v, want error", got)
			}
		})
	}
}

func TestAttributesKeepNonStringValuesAsJSON(t *testing.T) {
	t.Parallel()
	got, ok := toAttributes(json.RawMessage(`{"a":"x","b":2,"c":true,"d":null,"e":[1, 2],"f":{"g": 1}}`))
	if !ok {
		t.Fatal("toAttributes failed")
	}
	want := map[string]string{"a": "x", "b": "2", "c": "true", "e": "[1,2]", "f": `{"g":1}`}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
