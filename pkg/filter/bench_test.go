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
	l := &avroLoader{s: s, ctx: ctx, value: value, proj: proj}
	var e Event
	b.ReportAllocs()
	for b.Loop() {
		e.Reset(ev.Type, ev.ContactID, l)
		if ok, err := p.Match(&e); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// avroLoader decodes as fan-out does, into Fields reused from event to
// event.
type avroLoader struct {
	s       *schema.Serde
	ctx     context.Context
	value   []byte
	proj    schema.Projection
	fields  schema.Fields
	payload Payload
}

func (l *avroLoader) ReceivedAt() time.Time      { return time.Time{} }
func (l *avroLoader) Source() string             { return "engage" }
func (l *avroLoader) Headers() map[string]string { return nil }
func (l *avroLoader) Payload() (*Payload, error) {
	if err := l.s.Project(l.ctx, l.value, l.proj, &l.fields); err != nil {
		return nil, err
	}
	l.payload.ResetFields(event.ContactCreated, &l.fields, l.fields.Raw())
	return &l.payload, nil
}
