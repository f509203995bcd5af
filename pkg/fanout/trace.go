package fanout

import (
	"go.opentelemetry.io/otel/trace"

	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

// traceCopy makes the span of one copy, a child of the event's trace
// context, and gives the copy's headers that span's context, so the
// attempts to deliver the copy are its children. With tracing off the
// copy keeps the event's headers, traceparent included, as they are.
// The span marks the copy being made; its write is batched with others.
func (f *Fanout) traceCopy(rec *record, tg *target, headers []kafka.Header) []kafka.Header {
	t := f.deps.Tracer
	if !t.On() {
		return headers
	}
	ctx := t.FromRecord(rec.ctx, rec.m.Headers)
	ctx, span := t.Start(ctx, "copy "+tg.topic, trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(
		semconv.MessagingSystemKafka, semconv.MessagingOperationTypeSend, semconv.MessagingOperationName("copy"),
		semconv.MessagingDestinationName(tg.topic), semconv.MessagingMessageID(rec.header(event.HeaderEventID)),
		telemetry.AttrSubscription.String(tg.sub.ID)))
	headers = telemetry.ParentOf(ctx).AppendTo(headers)
	span.End()
	return headers
}
