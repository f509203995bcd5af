package telemetry

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel"
	"go.uber.org/zap"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Tracing is the process's tracer provider: the OTLP one when configured,
// none (every Tracer nil) when not.
type Tracing struct {
	provider *sdktrace.TracerProvider // nil when off
}

// Setup builds the tracing of cfg for a process of version. With no
// endpoint it returns a Tracing that makes no spans. The exporter connects
// lazily: a collector that is away costs dropped spans, never a failed
// start; the SDK's errors (a failed export) are logged to log.
func Setup(ctx context.Context, cfg Config, version string, log *zap.Logger) (*Tracing, error) {
	if !cfg.Enabled() {
		return &Tracing{}, nil
	}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("tracing: span export failed", zap.Error(err))
	}))
	exp, err := exporter(ctx, cfg.OTLP)
	if err != nil {
		return nil, fmt.Errorf("telemetry: create exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		semconv.ServiceName(cfg.ServiceName), semconv.ServiceVersion(version)))
	if err != nil {
		return nil, fmt.Errorf("telemetry: build resource: %w", err)
	}
	return WithProvider(sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
	)), nil
}

// WithProvider wraps an SDK provider (tests pass one over tracetest's
// in-memory exporter). A nil provider is tracing off.
func WithProvider(p *sdktrace.TracerProvider) *Tracing { return &Tracing{provider: p} }

// Tracer is the tracer of one instrumentation scope ("engagehub/ingest"),
// nil when tracing is off.
func (t *Tracing) Tracer(scope string) *Tracer {
	if t == nil || t.provider == nil {
		return nil
	}
	return newTracer(t.provider.Tracer(scope))
}

// Shutdown exports what is buffered and stops the exporter, within ctx.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.provider == nil {
		return nil
	}
	if err := t.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("telemetry: shut down: %w", err)
	}
	return nil
}

func exporter(ctx context.Context, c OTLPConfig) (*otlptrace.Exporter, error) {
	headers, err := c.headers()
	if err != nil {
		return nil, err
	}
	if c.Protocol == ProtocolGRPC {
		return otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(c.Endpoint),
			otlptracegrpc.WithHeaders(headers), otlptracegrpc.WithTimeout(c.Timeout))
	}
	return otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(tracesURL(c.Endpoint)),
		otlptracehttp.WithHeaders(headers), otlptracehttp.WithTimeout(c.Timeout))
}

// tracesURL appends OTLP/HTTP's /v1/traces to a collector URL without a path.
func tracesURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Path != "" && u.Path != "/") {
		return raw
	}
	u.Path = "/v1/traces"
	return u.String()
}
