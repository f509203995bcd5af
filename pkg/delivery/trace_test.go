package delivery

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

const (
	copyTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	copySpan   = "00f067aa0ba902b7"
	copyParent = "00-" + copyTrace + "-" + copySpan + "-01"
	copyState  = "vendor=opaque"
)

// tracedRecord is a delivery-topic record carrying a fan-out copy's trace context.
func tracedRecord(id string) kafka.Message {
	m := record("engagehub.deliver.sub", "c1", id)
	m.Headers = append(m.Headers, kafka.Header{Key: "traceparent", Value: []byte(copyParent)},
		kafka.Header{Key: "tracestate", Value: []byte(copyState)})
	return m
}

// Retry tiers and dead letters keep the record's trace context, so every
// attempt of an event — the first, one back from a tier, the last — is
// sent with it; with tracing off it is the copy's traceparent, unchanged.
func TestRetryTiersAndDeadLettersKeepTheTraceContext(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rcv, srv := testReceiver(t, statuses(500), clock.Now)
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, 5 * time.Minute}
	_ = b.WriteMessages(context.Background(), tracedRecord("e1"))
	runWorker(t, cfg, Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Clock: clock})
	waitArrivals(t, rcv, 1)
	clock.waitWaiters(t, 1)
	clock.Advance(5 * time.Minute)
	waitArrivals(t, rcv, 2)
	eventually(t, 5*time.Second, func() bool { return len(b.records("engagehub.dlq.sub")) == 1 }, "dead letter")
	for i, a := range rcv.Arrivals() {
		if a.Header.Get("traceparent") != copyParent || a.Header.Get("tracestate") != copyState {
			t.Fatalf("attempt %d traceparent %q tracestate %q, want the record's", i+1, a.Header.Get("traceparent"), a.Header.Get("tracestate"))
		}
	}
	for _, topic := range []string{"engagehub.retry.5m", "engagehub.dlq.sub"} {
		recs := b.records(topic)
		if len(recs) != 1 || header(recs[0], "traceparent") != copyParent || header(recs[0], "tracestate") != copyState {
			t.Fatalf("%s: %d records, first without the trace context", topic, len(recs))
		}
	}
}

// With tracing on each attempt is a client span, a child of the record's
// trace context, and the receiver gets that span as its parent.
func TestEachAttemptIsAClientSpanWhoseContextTheReceiverGets(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	clock := newFakeClock()
	rcv, srv := testReceiver(t, statuses(503, 204), clock.Now)
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, 5 * time.Minute}
	_ = b.WriteMessages(context.Background(), tracedRecord("e1"))
	runWorker(t, cfg, Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Clock: clock,
		Tracer: telemetry.WithProvider(tp).Tracer("test")})
	waitArrivals(t, rcv, 1)
	clock.waitWaiters(t, 1)
	clock.Advance(5 * time.Minute)
	waitArrivals(t, rcv, 2)
	eventually(t, 5*time.Second, func() bool { return len(exp.GetSpans()) == 2 }, "two attempt spans")
	spans, arrivals := exp.GetSpans(), rcv.Arrivals()
	want := []struct{ status, class, outcome, attempt, resend string }{
		{"503", "5xx", "retry", "1", ""}, {"204", "2xx", "delivered", "2", "1"},
	}
	for i, s := range spans {
		w := want[i]
		if s.Name != "POST" || s.SpanKind != trace.SpanKindClient || s.SpanContext.TraceID().String() != copyTrace || s.Parent.SpanID().String() != copySpan {
			t.Fatalf("span %d: %s %v trace %s parent %s", i, s.Name, s.SpanKind, s.SpanContext.TraceID(), s.Parent.SpanID())
		}
		got := map[string]string{}
		for _, a := range s.Attributes {
			got[string(a.Key)] = a.Value.Emit()
		}
		if got["http.response.status_code"] != w.status || got["engagehub.delivery.class"] != w.class || got["engagehub.delivery.outcome"] != w.outcome ||
			got["engagehub.delivery.attempt"] != w.attempt || got["http.request.resend_count"] != w.resend ||
			got["engagehub.subscription"] != "sub" || got["http.request.method"] != "POST" || got["server.address"] != "127.0.0.1" {
			t.Fatalf("span %d attributes %v", i, got)
		}
		if (s.Status.Code == codes.Error) != (w.outcome != "delivered") {
			t.Fatalf("span %d status %v", i, s.Status)
		}
		wantParent := "00-" + copyTrace + "-" + s.SpanContext.SpanID().String() + "-01"
		if tp := arrivals[i].Header.Get("traceparent"); tp != wantParent || arrivals[i].Header.Get("tracestate") != copyState {
			t.Fatalf("attempt %d traceparent %q, want its span's %q", i+1, tp, wantParent)
		}
	}
}
