package fanout

import (
	"context"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

// On the broker (embedded, or Apache Kafka with ENGAGEHUB_TEST_KAFKA_BROKERS),
// a traced event's copies — to a delivery topic and to a team's topic —
// carry the traceparent of their copy span, in the event's trace, for the
// sender and for downstream consumers.
func TestCopiesOnKafkaCarryTheirCopySpansTraceparent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	e := newEnv(t, testClient(t))
	e.tracer = telemetry.WithProvider(tp).Tracer("test")
	e.ensureEventTopics(ctx, t)
	store := e.openStore(ctx, t)
	team := strings.TrimSuffix(e.eventPrefix, ".engage.") + ".team-events"
	for _, sub := range []subscription.Subscription{webhookSub("hook", "contact.*"), {ID: "team", EventTypes: []string{"contact.*"}, Enabled: true,
		Destination: subscription.Destination{Type: subscription.DestinationKafka, Topic: team, Format: subscription.FormatAvro}}} {
		if _, _, err := store.Create(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	msgs := e.messages([]produced{{id: "traced-1", typ: string(event.ContactDeleted), contact: "c1"}})
	msgs[0].Headers = append(msgs[0].Headers, kafka.Header{Key: telemetry.HeaderTraceParent, Value: []byte(ingestParent)})
	e.produceRecords(ctx, t, msgs)
	_, done := e.start(ctx, store.Matcher(), nil, nil)
	for _, topic := range []string{e.deliveryPrefix + "hook", team} {
		var got []copyRecord
		waitFor(ctx, t, "the copy on "+topic, func() bool { got = e.readTopic(ctx, t, topic); return len(got) > 0 })
		var span tracetest.SpanStub
		for _, s := range exp.GetSpans() {
			if s.Name == "copy "+topic {
				span = s
			}
		}
		want := "00-" + ingestTrace + "-" + span.SpanContext.SpanID().String() + "-01"
		if got[0].traceparent != want || span.Parent.SpanID().String() != ingestSpan {
			t.Fatalf("copy on %s traceparent %q, want its copy span's %q (span parent %s)", topic, got[0].traceparent, want, span.Parent.SpanID())
		}
	}
	cancel()
	<-done
}
