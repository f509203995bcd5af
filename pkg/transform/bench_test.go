package transform

import (
	"context"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

// typicalScript reshapes the envelope into a receiver's own JSON and adds
// a header: what a team that "expects its own JSON shape" writes.
const typicalScript = `function handler(webhook) {
  const e = webhook.payload;
  webhook.payload = {
    id: e.id || e.eventId,
    type: e.eventType,
    contact: e.payload.contactId,
    data: e.payload,
  };
  webhook.headers["x-engage-type"] = webhook.eventType;
  return webhook;
}`

// BenchmarkRun is the cost of one call of a typical transformation on a
// contact.updated example, pooled runtimes, parallel over GOMAXPROCS.
func BenchmarkRun(b *testing.B) {
	s, err := Compile(typicalScript, DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	spec, _ := event.Lookup(event.ContactUpdated)
	in := Webhook{EventType: string(spec.Type), URL: "https://x.example/hook", Headers: map[string]string{"x-team": "crm"}, Payload: spec.Example}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Run(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
