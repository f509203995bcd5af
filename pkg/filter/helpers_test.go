package filter

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

var testReceivedAt = time.Date(2025, 3, 4, 5, 6, 7, 891e6, time.UTC)

// exampleEvent is the catalog example of typ, as ingest builds it.
func exampleEvent(tb testing.TB, typ event.Type) event.Event {
	tb.Helper()
	spec, ok := event.Lookup(typ)
	if !ok {
		tb.Fatalf("%s not in the catalog", typ)
	}
	return parseEvent(tb, spec.Example)
}

func parseEvent(tb testing.TB, raw []byte) event.Event {
	tb.Helper()
	env, err := event.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	ev, err := event.New(env, "engage", testReceivedAt)
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

// avroRoundTrip is ev as fan-out sees it: encoded with its schema and
// decoded again.
func avroRoundTrip(tb testing.TB, ev event.Event) event.Event {
	tb.Helper()
	set, err := schema.Load()
	if err != nil {
		tb.Fatal(err)
	}
	sch, ok := set.For(ev.Type)
	if !ok {
		sch = set.Envelope()
	}
	b, err := schema.Encode(sch, ev)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := schema.Decode(sch, b)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// withPayloadField returns the envelope raw with payload[name] = value.
func withPayloadField(tb testing.TB, raw []byte, name string, value any) []byte {
	tb.Helper()
	var env map[string]any
	if err := json.Unmarshal(raw, &env); err != nil {
		tb.Fatal(err)
	}
	env["payload"].(map[string]any)[name] = value
	out, err := json.Marshal(env)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func mustCompile(tb testing.TB, expr string, types ...string) *Program {
	tb.Helper()
	p, err := Compile(expr, types)
	if err != nil {
		tb.Fatalf("Compile(%q): %v", expr, err)
	}
	return p
}

// countingLoader counts what an Event loads.
type countingLoader struct {
	ev                event.Event
	headers, payloads int
	err               error
}

func (l *countingLoader) ReceivedAt() time.Time { return l.ev.ReceivedAt }
func (l *countingLoader) Source() string        { return l.ev.Source }

func (l *countingLoader) Headers() map[string]string {
	l.headers++
	return map[string]string{"event-id": l.ev.ID, "traceparent": "00-abc-def-01"}
}

func (l *countingLoader) Payload() (*Payload, error) {
	l.payloads++
	if l.err != nil {
		return nil, l.err
	}
	return NewPayload(l.ev), nil
}

func eventOf(ev event.Event, l Loader) *Event {
	return &Event{Type: ev.Type, ContactID: ev.ContactID, Load: l}
}

// decodedFields is ev encoded and decoded whole into schema.Fields, as
// fan-out decodes records for filters.
func decodedFields(tb testing.TB, ev event.Event) *schema.Fields {
	tb.Helper()
	set, err := schema.Load()
	if err != nil {
		tb.Fatal(err)
	}
	s := schema.NewSerde(registry.InProcess{Registry: registry.New(&registry.MemoryLog{})}, set, "engage.")
	ctx := context.Background()
	if err := s.Prepare(ctx); err != nil {
		tb.Fatal(err)
	}
	_, value, err := s.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	var f schema.Fields
	if err := s.Project(ctx, value, schema.Projection{AllPayload: true, Raw: true}, &f); err != nil {
		tb.Fatal(err)
	}
	return &f
}

// fieldsLoader hands out a payload behind Fields.
type fieldsLoader struct {
	typ    event.Type
	fields Fields
	raw    []byte
}

func (l fieldsLoader) ReceivedAt() time.Time      { return time.Time{} }
func (l fieldsLoader) Source() string             { return "engage" }
func (l fieldsLoader) Headers() map[string]string { return nil }
func (l fieldsLoader) Payload() (*Payload, error) {
	var p Payload
	p.ResetFields(l.typ, l.fields, l.raw)
	return &p, nil
}

// mapFields is a decoded payload map behind Fields.
type mapFields map[string]any

func (m mapFields) Has(name string) bool { _, ok := m[name]; return ok }
func (m mapFields) Str(name string) (string, bool) {
	v, ok := m[name].(string)
	return v, ok
}
func (m mapFields) Int(name string) (int64, bool) {
	v, ok := m[name].(int64)
	return v, ok
}
func (m mapFields) Bool(name string) (bool, bool) {
	v, ok := m[name].(bool)
	return v, ok
}
func (m mapFields) Entries(name string) (map[string]string, bool) {
	v, ok := m[name].(map[string]string)
	return v, ok
}
func (m mapFields) Value(name string) (any, bool) {
	v, ok := m[name]
	return v, ok
}
