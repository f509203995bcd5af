package fanout

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

const (
	ingestTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	ingestSpan   = "00f067aa0ba902b7"
	ingestParent = "00-" + ingestTrace + "-" + ingestSpan + "-01"
)

// copyOnce fans one traced event out to a webhook and a Kafka
// subscription and returns the copies written.
func copyOnce(t *testing.T, tracer *telemetry.Tracer) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	team := subscription.Subscription{ID: "team", EventTypes: []string{"contact.*"}, Enabled: true,
		Destination: subscription.Destination{Type: subscription.DestinationKafka, Topic: "team.events"}}
	src := &fakeSource{commitCh: make(chan struct{}, 1), msgs: []kafka.Message{{Topic: "engage.contact.created", Key: []byte("c1"), Value: []byte("v1"),
		Headers: []kafka.Header{{Key: event.HeaderEventID, Value: []byte("e1")}, {Key: "traceparent", Value: []byte(ingestParent)},
			{Key: "tracestate", Value: []byte("vendor=opaque")}}}}}
	sink := &fakeSink{src: src}
	f := New(DefaultConfig(), Deps{Source: src, Sink: sink, Decoder: fakeDecoder{}, EventPrefix: "engage.", DeliveryPrefix: "d.",
		Matcher: snapshotOf(webhookSub("hook", "*"), team), Tracer: tracer})
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	select {
	case <-src.commitCh:
	case <-ctx.Done():
		t.Fatal("batch never committed")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(sink.written) != 2 {
		t.Fatalf("%d copies", len(sink.written))
	}
	return sink.written
}

func TestTracingOffCopiesKeepTheEventsTraceContext(t *testing.T) {
	t.Parallel()
	for _, c := range copyOnce(t, nil) {
		if headerOf(c, "traceparent") != ingestParent || headerOf(c, "tracestate") != "vendor=opaque" {
			t.Fatalf("copy to %s headers %v, want the event's traceparent and tracestate", c.Topic, c.Headers)
		}
	}
}

func TestEachCopyIsASpanUnderTheEventsTraceAndCarriesIt(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	copies := copyOnce(t, telemetry.WithProvider(tp).Tracer("test"))
	spans := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		spans[s.Name] = s
	}
	for _, c := range copies {
		s, ok := spans["copy "+c.Topic]
		if !ok {
			t.Fatalf("no span for the copy to %s (spans %v)", c.Topic, spans)
		}
		if s.SpanKind != trace.SpanKindProducer || s.SpanContext.TraceID().String() != ingestTrace || s.Parent.SpanID().String() != ingestSpan {
			t.Fatalf("span %s: kind %v trace %s parent %s", s.Name, s.SpanKind, s.SpanContext.TraceID(), s.Parent.SpanID())
		}
		attrs := map[string]string{}
		for _, a := range s.Attributes {
			attrs[string(a.Key)] = a.Value.Emit()
		}
		if attrs["messaging.system"] != "kafka" || attrs["messaging.destination.name"] != c.Topic || attrs["messaging.message.id"] != "e1" ||
			attrs["engagehub.subscription"] != headerOf(c, event.HeaderSubscription) {
			t.Fatalf("span %s attributes %v", s.Name, attrs)
		}
		want := "00-" + ingestTrace + "-" + s.SpanContext.SpanID().String() + "-01"
		if headerOf(c, "traceparent") != want || headerOf(c, "tracestate") != "vendor=opaque" {
			t.Fatalf("copy to %s traceparent %q, want its span's %q", c.Topic, headerOf(c, "traceparent"), want)
		}
	}
}
