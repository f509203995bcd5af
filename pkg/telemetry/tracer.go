package telemetry

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Tracer starts spans. A nil *Tracer is tracing off: On is false, Start
// makes nothing. Callers guard the building of attributes with On, so that
// tracing off allocates nothing.
type Tracer struct {
	t    trace.Tracer
	prop propagation.TraceContext
}

func newTracer(t trace.Tracer) *Tracer { return &Tracer{t: t} }

// On reports whether spans are made.
func (t *Tracer) On() bool { return t != nil }

// Start starts a span named name, a child of the span in ctx. Off, it
// returns ctx and the span already in it (a no-op one when there is none).
func (t *Tracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if t == nil {
		return ctx, trace.SpanFromContext(ctx)
	}
	return t.t.Start(ctx, name, opts...)
}

// FromHTTP returns ctx with the remote parent of h's traceparent and
// tracestate, if valid.
func (t *Tracer) FromHTTP(ctx context.Context, h http.Header) context.Context {
	if t == nil {
		return ctx
	}
	return t.prop.Extract(ctx, propagation.HeaderCarrier(h))
}

// FromRecord returns ctx with the remote parent of a record's traceparent
// and tracestate headers, if valid.
func (t *Tracer) FromRecord(ctx context.Context, hs []kafka.Header) context.Context {
	if t == nil {
		return ctx
	}
	return t.extractRecord(ctx, hs)
}

// extractRecord is FromRecord's work, apart so that hs escapes only when on.
func (t *Tracer) extractRecord(ctx context.Context, hs []kafka.Header) context.Context {
	c := RecordCarrier(hs)
	return t.prop.Extract(ctx, &c)
}

// ParentOf is the trace context of the span in ctx, as headers: what a
// record or request made under that span carries. Empty when ctx has no
// valid span.
func ParentOf(ctx context.Context) Parent {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return Parent{}
	}
	return Parent{TraceParent: formatTraceParent(sc), TraceState: sc.TraceState().String()}
}

func formatTraceParent(sc trace.SpanContext) string {
	flags := "00"
	if sc.IsSampled() {
		flags = "01"
	}
	return "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-" + flags
}
