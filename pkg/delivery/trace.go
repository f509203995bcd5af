package delivery

import (
	"context"
	"net/url"
	"strconv"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/engagehub/engagehub/pkg/telemetry"
)

// noSpan is an attempt's span with tracing off.
var noSpan = trace.SpanFromContext(context.Background())

// startAttempt starts the client span of j's next attempt, a child of the
// trace context its record carries (the fan-out copy's, on a retry too:
// retry tiers keep the record's headers), and has req carry that span's
// context to the receiver. With tracing off req carries the record's
// traceparent as it is, and nothing is allocated for a record without one.
func (w *Worker) startAttempt(ctx context.Context, j *job, req *Request) (context.Context, trace.Span) {
	t := w.deps.Tracer
	if !t.On() {
		req.Trace = telemetry.ParentFromRecord(j.msg.Headers)
		return ctx, noSpan
	}
	method := req.Method
	if method == "" {
		method = "POST"
	}
	ctx = t.FromRecord(ctx, j.msg.Headers)
	ctx, span := t.Start(ctx, method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		semconv.HTTPRequestMethodKey.String(method), semconv.ServerAddress(hostOf(req.URL)),
		telemetry.AttrSubscription.String(w.ep.ID), telemetry.AttrAttempt.Int(j.attempts+1),
		telemetry.AttrEventType.String(j.typ), semconv.MessagingMessageID(j.id)))
	if j.attempts > 0 {
		span.SetAttributes(semconv.HTTPRequestResendCount(j.attempts))
	}
	req.Trace = telemetry.ParentOf(ctx)
	return ctx, span
}

// endAttempt ends an attempt's span with its status, class and outcome;
// anything but a delivery marks the span as an error.
func endAttempt(span trace.Span, res Result, out Outcome) {
	if span.IsRecording() {
		if res.Status > 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(res.Status))
		}
		span.SetAttributes(telemetry.AttrClass.String(out.Class), telemetry.AttrOutcome.String(out.Kind.String()))
		if out.Kind != Delivered {
			span.SetAttributes(semconv.ErrorTypeKey.String(errorType(res, out)))
			span.SetStatus(codes.Error, out.Class)
		}
	}
	span.End()
}

// errorType is error.type: the status code answered, else the class.
func errorType(res Result, out Outcome) string {
	if res.Status > 0 {
		return strconv.Itoa(res.Status)
	}
	return out.Class
}

// hostOf is the host of a destination URL, never its credentials.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
