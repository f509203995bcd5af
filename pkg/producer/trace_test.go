package producer

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

func TestPublishCarriesTheCallersSpanAsTraceparent(t *testing.T) {
	t.Parallel()
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	traced := trace.ContextWithSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	cases := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"caller in a span", traced, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		{"no span", context.Background(), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := &kafkatest.RecordingSink{}
			p := New(newSerde(t), sink, WithClock(func() time.Time { return fixedNow }))
			if err := p.PublishJSON(c.ctx, "billing", sample(t, event.ContactDeleted), sample(t, event.ContactCreated)); err != nil {
				t.Fatal(err)
			}
			_, msgs := sink.Snapshot()
			for _, m := range msgs {
				if got, _ := header(m, "traceparent"); got != c.want {
					t.Fatalf("record on %s traceparent %q, want %q", m.Topic, got, c.want)
				}
			}
		})
	}
}
