package schema

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/engagehub/engagehub/pkg/event"
)

// editPayloadFields returns the schema text of t with its payload fields
// changed by edit: an older or newer version of today's schema.
func editPayloadFields(t *testing.T, set *Set, typ event.Type, edit func([]any) []any) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(set.Text(typ)), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc["fields"].([]any) {
		field := f.(map[string]any)
		if field["name"] == "payload" {
			payload := field["type"].(map[string]any)
			payload["fields"] = edit(payload["fields"].([]any))
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func withoutField(name string) func([]any) []any {
	return func(fields []any) []any {
		var out []any
		for _, f := range fields {
			if f.(map[string]any)["name"] != name {
				out = append(out, f)
			}
		}
		return out
	}
}

func withExtraField(fields []any) []any {
	return append(fields, map[string]any{"name": "tier", "type": []any{"null", "string"}, "default": nil})
}

// TestUnmarshalReadsOtherSchemaVersionsThroughResolution writes records
// with an older schema (no balanceExpires) and a newer one (an extra tier
// field) and reads them with today's schema.
func TestUnmarshalReadsOtherSchemaVersionsThroughResolution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func([]any) []any
		want func(map[string]any)
	}{
		{"older writer without an optional field", withoutField("balanceExpires"),
			func(p map[string]any) { delete(p, "balanceExpires") }},
		{"newer writer with an extra field", withExtraField, func(map[string]any) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, reg := preparedSerde(t)
			spec, _ := event.Lookup(event.PointBalanceUpdated)
			ev := sampleEvent(t, spec.Example)
			text := editPayloadFields(t, s.set, event.PointBalanceUpdated, tt.edit)
			id, err := reg.Register(context.Background(), "engage.point.balance.updated-value", text)
			if err != nil {
				t.Fatal(err)
			}
			writer, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
			if err != nil {
				t.Fatalf("parse writer schema: %v", err)
			}
			written := ev
			written.Payload = map[string]any{"tier": "gold"}
			for k, v := range ev.Payload {
				written.Payload[k] = v
			}
			data, err := Encode(writer, written)
			if err != nil {
				t.Fatalf("Encode with writer schema: %v", err)
			}
			back, err := s.Unmarshal(context.Background(), Frame(uint32(id), data))
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			tt.want(ev.Payload)
			assertSameEvent(t, back, ev)
			if _, err := s.Unmarshal(context.Background(), Frame(uint32(id), data)); err != nil || reg.lookups.Load() != 1 {
				t.Fatalf("second Unmarshal: %v, registry lookups %d, want 1", err, reg.lookups.Load())
			}
			var names []string
			for _, f := range spec.Fields {
				names = append(names, f.Name)
			}
			proj, err := project(s, context.Background(), Frame(uint32(id), data), NewProjection(names, false, true))
			if err != nil || !reflect.DeepEqual(proj.Payload, back.Payload) || string(proj.Raw) != string(back.Raw) {
				t.Fatalf("Project = %v (raw %d bytes), %v; want what Unmarshal read: %v", proj.Payload, len(proj.Raw), err, back.Payload)
			}
		})
	}
}

func TestUnmarshalRejectsAnIncompatibleWriter(t *testing.T) {
	t.Parallel()
	s, reg := preparedSerde(t)
	// A writer without the required balance cannot be read: no default.
	text := editPayloadFields(t, s.set, event.PointBalanceUpdated, withoutField("balance"))
	id, _ := reg.Register(context.Background(), "old", text)
	if _, err := s.Unmarshal(context.Background(), Frame(uint32(id), []byte{0})); err == nil {
		t.Fatal("Unmarshal succeeded with an incompatible writer schema")
	}
}
