package delivery

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

// sdkTracer is a tracer as production runs it (batching span processor,
// always sampling) over an exporter that discards: the cost of making
// spans, not of shipping them.
func sdkTracer(tb testing.TB) *telemetry.Tracer {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	tb.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return telemetry.WithProvider(tp).Tracer("bench")
}

// tracingCases are the three ways an attempt meets tracing: off with no
// traceparent on the record (nothing to do), off with one (passed on
// as is), and on.
func tracingCases(tb testing.TB) []struct {
	name   string
	tracer *telemetry.Tracer
	traced bool
} {
	return []struct {
		name   string
		tracer *telemetry.Tracer
		traced bool
	}{{"off", nil, false}, {"off-passthrough", nil, true}, {"on", sdkTracer(tb), true}}
}

// attemptTracing is the tracing work of one attempt: its span, the
// request's trace headers, the span's end.
func attemptTracing(w *Worker, j *job, h http.Header) {
	r := Request{Method: http.MethodPost, URL: "http://127.0.0.1:9/hook"}
	_, span := w.startAttempt(context.Background(), j, &r)
	r.Trace.SetHTTP(h)
	endAttempt(span, Result{Status: http.StatusNoContent}, Outcome{Kind: Delivered, Class: "2xx"})
}

func benchJob(traced bool) *job {
	m := record("engagehub.deliver.sub", "c1", "e1")
	if traced {
		m = tracedRecord("e1")
	}
	return newJob(m, 8)
}

// BenchmarkAttemptTracing is the tracing work added to each attempt.
func BenchmarkAttemptTracing(b *testing.B) {
	for _, c := range tracingCases(b) {
		b.Run(c.name, func(b *testing.B) {
			w, j, h := &Worker{ep: Endpoint{ID: "sub"}, deps: Deps{Tracer: c.tracer}}, benchJob(c.traced), http.Header{}
			b.ReportAllocs()
			for b.Loop() {
				attemptTracing(w, j, h)
			}
		})
	}
}

func TestTracingOffAddsNoAllocationToAnAttempt(t *testing.T) {
	w, j, h := &Worker{ep: Endpoint{ID: "sub"}}, benchJob(false), http.Header{}
	if n := testing.AllocsPerRun(200, func() { attemptTracing(w, j, h) }); n != 0 {
		t.Fatalf("%v allocations per attempt with tracing off", n)
	}
}

// BenchmarkDeliveryTracing: n events on a delivery topic (in memory) →
// signed POST → 204, tracing off and on; reports µs per delivery (wall
// time over the run, 64 in flight) and CPU µs per delivery (the whole
// process: receiver included).
func BenchmarkDeliveryTracing(b *testing.B) {
	for _, c := range tracingCases(b) {
		b.Run(c.name, func(b *testing.B) {
			n := max(b.N, 2000)
			srv, count := countingServer(b, http.StatusNoContent)
			broker := newMemBroker()
			msgs := make([]kafka.Message, n)
			for i := range msgs {
				msgs[i] = record("engagehub.deliver.sub", fmt.Sprintf("c%d", i%500), fmt.Sprintf("e%d", i))
				if c.traced {
					msgs[i].Headers = tracedRecord("e").Headers
				}
			}
			_ = broker.WriteMessages(context.Background(), msgs...)
			deps := memDeps(broker)
			deps.Tracer = c.tracer
			cfg := DefaultConfig()
			cfg.MaxBuffered = 4000
			sup := NewSupervisor(cfg, deps)
			sup.Update([]Endpoint{{ID: "sub", URL: srv.URL, Secrets: benchSecrets(), MaxInFlight: benchConcurrency}})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			b.ResetTimer()
			start, cpu0 := time.Now(), benchCPU()
			go func() { _ = sup.Run(ctx); close(done) }()
			waitCount(b, count, int64(n))
			took, cpu := time.Since(start), benchCPU()-cpu0
			b.StopTimer()
			cancel()
			<-done
			b.ReportMetric(float64(took.Microseconds())/float64(n), "µs/delivery")
			b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/delivery")
		})
	}
}
