package filter

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/schema"
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
