package filter

import (
	"context"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

// BenchmarkMatch is the cost of one evaluation of a typical filter on a
// decoded contact.created event (the payload already loaded, as for the
// second subscription reading it).
func BenchmarkMatch(b *testing.B) {
	p := mustCompile(b, `type == "contact.created" && payload.contactType == "Member" && has(payload.attributes.email)`, "contact.*")
	ev := FromEvent(exampleEvent(b, event.ContactCreated), nil)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := p.Match(ev); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkMatchInterpreted is BenchmarkMatch in cel-go's interpreter,
// which runs the expressions the native evaluator does not take.
func BenchmarkMatchInterpreted(b *testing.B) {
	p := mustCompile(b, `type == "contact.created" && payload.contactType == "Member" && has(payload.attributes.email)`, "contact.*")
	ev := FromEvent(exampleEvent(b, event.ContactCreated), nil)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := interpreted(p, ev); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkMatchDecoding adds decoding the Avro record, as fan-out does
// for the first subscription whose filter reads the payload: only the
// fields the filter reads (schema.Serde.Project).
func BenchmarkMatchDecoding(b *testing.B) {
	p := mustCompile(b, `type == "contact.created" && payload.contactType == "Member" && has(payload.attributes.email)`, "contact.*")
	set, _ := schema.Load()
	s := schema.NewSerde(registry.InProcess{Registry: registry.New(&registry.MemoryLog{})}, set, "engage.")
	ctx := context.Background()
	if err := s.Prepare(ctx); err != nil {
		b.Fatal(err)
	}
	ev := exampleEvent(b, event.ContactCreated)
	n := p.Needs()
	proj := schema.NewProjection(n.Fields, n.All, n.Unknown)
	_, value, err := s.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		l := &avroLoader{s: s, ctx: ctx, value: value, proj: proj}
		e := &Event{Type: ev.Type, ContactID: ev.ContactID, Load: l}
		if ok, err := p.Match(e); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

type avroLoader struct {
	s     *schema.Serde
	ctx   context.Context
	value []byte
	proj  schema.Projection
}

func (l *avroLoader) ReceivedAt() time.Time      { return time.Time{} }
func (l *avroLoader) Source() string             { return "engage" }
func (l *avroLoader) Headers() map[string]string { return nil }
func (l *avroLoader) Payload() (*Payload, error) {
	ev, err := l.s.Project(l.ctx, l.value, l.proj, nil)
	if err != nil {
		return nil, err
	}
	ev.Type = event.ContactCreated
	return NewPayload(ev), nil
}
