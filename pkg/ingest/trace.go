package ingest

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

// traced is one ingest request's trace: its server span (a no-op when
// tracing is off) and the trace context its records carry — the server
// span's, or with tracing off the caller's traceparent, passed on as it
// came when well formed.
type traced struct {
	tracer *telemetry.Tracer
	span   trace.Span
	parent telemetry.Parent
	status *statusWriter // nil when off
}

// noSpan is the span of a step with tracing off.
var noSpan = trace.SpanFromContext(context.Background())

// startTrace starts the server span of r on route, a child of the
// caller's traceparent; with tracing off it only reads that traceparent.
// It returns the request and writer to serve with (unchanged when off).
func (in *Ingest) startTrace(w http.ResponseWriter, r *http.Request, route string) (traced, http.ResponseWriter, *http.Request) {
	if !in.tracer.On() {
		return traced{span: noSpan, parent: telemetry.ParentFromHTTP(r.Header)}, w, r
	}
	ctx := in.tracer.FromHTTP(r.Context(), r.Header)
	ctx, span := in.tracer.Start(ctx, "POST "+route, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(semconv.HTTPRequestMethodPost, semconv.HTTPRoute(route), semconv.URLPath(route)))
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	return traced{tracer: in.tracer, span: span, parent: telemetry.ParentOf(ctx), status: sw}, sw, r.WithContext(ctx)
}

// step starts a child span of the request's (verify, encode); a no-op off.
func (t *traced) step(ctx context.Context, name string) trace.Span {
	if !t.tracer.On() {
		return noSpan
	}
	_, span := t.tracer.Start(ctx, name)
	return span
}

// stamp sets the request's trace context on every record.
func (t *traced) stamp(msgs []kafka.Message) {
	for i := range msgs {
		msgs[i].Headers = t.parent.AppendTo(msgs[i].Headers)
	}
}

// end ends the server span with the status answered.
func (t *traced) end() {
	if t.status == nil {
		return
	}
	t.span.SetAttributes(semconv.HTTPResponseStatusCode(t.status.status))
	if t.status.status >= http.StatusInternalServerError {
		t.span.SetStatus(codes.Error, http.StatusText(t.status.status))
	}
	t.span.End()
}

// produceSpan starts the span of one write of msgs to Kafka; a no-op off.
func (in *Ingest) produceSpan(ctx context.Context, msgs []kafka.Message) trace.Span {
	if !in.tracer.On() {
		return noSpan
	}
	_, span := in.tracer.Start(ctx, "send "+msgs[0].Topic, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(semconv.MessagingSystemKafka, semconv.MessagingOperationTypeSend,
			semconv.MessagingOperationName("send"), semconv.MessagingDestinationName(msgs[0].Topic),
			semconv.MessagingBatchMessageCount(len(msgs))))
	return span
}

// endProduce ends a produce span, marking a failed write.
func endProduce(span trace.Span, f *failure) {
	if f != nil && span.IsRecording() {
		span.SetStatus(codes.Error, f.code)
		span.SetAttributes(semconv.ErrorTypeKey.String(f.code))
	}
	span.End()
}

// statusWriter remembers the status answered, for the server span.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
