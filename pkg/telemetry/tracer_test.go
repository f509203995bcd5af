package telemetry

import (
	"context"
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

func recording(t *testing.T) (*Tracer, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return WithProvider(tp).Tracer("test"), exp
}

func TestSetupWithoutEndpointMakesNoTracer(t *testing.T) {
	t.Parallel()
	tr, err := Setup(context.Background(), DefaultConfig(), "test", zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if tr.Tracer("x").On() {
		t.Fatal("tracer on without telemetry.otlp.endpoint")
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSetupWithEndpointMakesATracerForEitherProtocol(t *testing.T) {
	t.Parallel()
	for _, proto := range []string{ProtocolHTTP, ProtocolGRPC} {
		t.Run(proto, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.OTLP.Endpoint, cfg.OTLP.Protocol, cfg.OTLP.Headers = "http://127.0.0.1:1", proto, "x-key=a%20b"
			tr, err := Setup(context.Background(), cfg, "test", zap.NewNop())
			if err != nil {
				t.Fatal(err)
			}
			if !tr.Tracer("x").On() {
				t.Fatal("tracer off with an endpoint")
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // nothing listens there: do not wait for the export
			_ = tr.Shutdown(ctx)
		})
	}
}

func TestRecordParentIsTheParentOfTheNextSpan(t *testing.T) {
	t.Parallel()
	tr, exp := recording(t)
	hs := Parent{TraceParent: goodParent, TraceState: goodState}.AppendTo(nil)
	ctx, span := tr.Start(tr.FromRecord(context.Background(), hs), "child")
	span.End()
	got := exp.GetSpans()
	if len(got) != 1 {
		t.Fatalf("%d spans", len(got))
	}
	s := got[0]
	if s.SpanContext.TraceID().String() != goodParent[3:35] || s.Parent.SpanID().String() != goodParent[36:52] {
		t.Fatalf("span %s parent %s, want trace %s parent %s", s.SpanContext.TraceID(), s.Parent.SpanID(), goodParent[3:35], goodParent[36:52])
	}
	p := ParentOf(ctx)
	if p.TraceParent != "00-"+goodParent[3:35]+"-"+s.SpanContext.SpanID().String()+"-01" || p.TraceState != goodState {
		t.Fatalf("ParentOf = %+v", p)
	}
}

func TestFromHTTPReadsTheCallersTraceparent(t *testing.T) {
	t.Parallel()
	tr, _ := recording(t)
	ctx := tr.FromHTTP(context.Background(), http.Header{"Traceparent": {goodParent}})
	if sc := trace.SpanContextFromContext(ctx); !sc.IsRemote() || sc.TraceID().String() != goodParent[3:35] {
		t.Fatalf("span context %+v", sc)
	}
}

func TestTracingOffAllocatesNothing(t *testing.T) {
	var tr *Tracer
	hs := []kafka.Header{{Key: "event-id", Value: []byte("e1")}}
	h := http.Header{}
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		if tr.On() {
			t.Fatal("nil tracer on")
		}
		c, span := tr.Start(tr.FromRecord(tr.FromHTTP(ctx, h), hs), "x")
		span.End()
		ParentFromRecord(hs).SetHTTP(h)
		_ = ParentFromHTTP(h).AppendTo(hs)
		_ = ParentOf(c)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run with tracing off", allocs)
	}
}

func TestValidateNamesEachBadKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"sample ratio", func(c *Config) { c.SampleRatio = 2 }, "telemetry.sample_ratio"},
		{"protocol", func(c *Config) { c.OTLP.Protocol = "thrift" }, "telemetry.otlp.protocol"},
		{"endpoint scheme", func(c *Config) { c.OTLP.Endpoint = "collector:4317" }, "telemetry.otlp.endpoint"},
		{"headers", func(c *Config) { c.OTLP.Headers = "novalue" }, "telemetry.otlp.headers"},
		{"timeout", func(c *Config) { c.OTLP.Timeout = 0 }, "telemetry.otlp.timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			c.edit(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate = %v, want one naming %s", err, c.want)
			}
		})
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}

func TestTracesURLAppendsTheOTLPPathOnlyWhenThereIsNone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://c:4318":         "http://c:4318/v1/traces",
		"http://c:4318/":        "http://c:4318/v1/traces",
		"https://c/otlp/traces": "https://c/otlp/traces",
	} {
		if got := tracesURL(in); got != want {
			t.Errorf("tracesURL(%q) = %q, want %q", in, got, want)
		}
	}
}
