package ingest

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

const (
	callerTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan   = "00f067aa0ba902b7"
	callerParent = "00-" + callerTrace + "-" + callerSpan + "-01"
	callerState  = "vendor=opaque"
)

// tracedFixture is a fixture whose Ingest traces into an in-memory exporter.
func tracedFixture(t *testing.T) (*fixture, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	cfg := DefaultConfig()
	cfg.Engage.Secrets = []secret.String{testSecret}
	f := &fixture{sink: &kafkatest.RecordingSink{}, now: testNow}
	return f.build(t, cfg, f.sink, Options{Tracer: telemetry.WithProvider(tp).Tracer("test")}), exp
}

func withCaller(r *http.Request) {
	r.Header.Set("traceparent", callerParent)
	r.Header.Set("tracestate", callerState)
}

// spansByName indexes the exported spans, failing on a duplicate name.
func spansByName(t *testing.T, exp *tracetest.InMemoryExporter) map[string]tracetest.SpanStub {
	t.Helper()
	out := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		if _, dup := out[s.Name]; dup {
			t.Fatalf("two spans named %q", s.Name)
		}
		out[s.Name] = s
	}
	return out
}

func attr(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.Emit()
		}
	}
	return ""
}

func TestEngageDoorSpansVerifyEncodeAndProduceUnderTheCallersTrace(t *testing.T) {
	t.Parallel()
	f, exp := tracedFixture(t)
	r := f.engageRequest("msg_1", testNow, example(t, event.PointBalanceUpdated))
	withCaller(r)
	if w := f.serve(r); w.Code != http.StatusOK {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	spans := spansByName(t, exp)
	server, ok := spans["POST /ingest/engage"]
	if !ok || server.SpanKind != trace.SpanKindServer {
		t.Fatalf("no server span in %v", spans)
	}
	if server.SpanContext.TraceID().String() != callerTrace || server.Parent.SpanID().String() != callerSpan || !server.Parent.IsRemote() {
		t.Fatalf("server span trace %s parent %s: not the caller's child", server.SpanContext.TraceID(), server.Parent.SpanID())
	}
	if attr(server, "http.response.status_code") != "200" || attr(server, "http.route") != "/ingest/engage" || attr(server, "http.request.method") != "POST" {
		t.Fatalf("server span attributes %v", server.Attributes)
	}
	for _, name := range []string{"verify", "encode", "send engage.point.balance.updated"} {
		s, ok := spans[name]
		if !ok || s.Parent.SpanID() != server.SpanContext.SpanID() {
			t.Fatalf("span %q missing or not a child of the server span (spans %v)", name, spans)
		}
	}
	produce := spans["send engage.point.balance.updated"]
	if produce.SpanKind != trace.SpanKindProducer || attr(produce, "messaging.system") != "kafka" ||
		attr(produce, "messaging.destination.name") != "engage.point.balance.updated" {
		t.Fatalf("produce span %v %v", produce.SpanKind, produce.Attributes)
	}
	_, msgs := f.sink.Snapshot()
	want := "00-" + callerTrace + "-" + server.SpanContext.SpanID().String() + "-01"
	if tp, _ := header(msgs[0], "traceparent"); tp != want {
		t.Fatalf("record traceparent %q, want the server span's %q", tp, want)
	}
	if ts, _ := header(msgs[0], "tracestate"); ts != callerState {
		t.Fatalf("record tracestate %q, want %q", ts, callerState)
	}
}

func TestAPIDoorStampsEveryRecordOfABatchWithTheRequestsSpan(t *testing.T) {
	t.Parallel()
	f, exp := tracedFixture(t)
	body := `[` + string(example(t, event.ContactDeleted)) + `,` + string(example(t, event.ContactCreated)) + `]`
	if w := f.serve(apiRequest(body, withCaller)); w.Code != http.StatusAccepted {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	server := spansByName(t, exp)["POST /v1/events"]
	want := "00-" + callerTrace + "-" + server.SpanContext.SpanID().String() + "-01"
	_, msgs := f.sink.Snapshot()
	if len(msgs) != 2 {
		t.Fatalf("%d records", len(msgs))
	}
	for _, m := range msgs {
		if tp, _ := header(m, "traceparent"); tp != want {
			t.Fatalf("record on %s traceparent %q, want %q", m.Topic, tp, want)
		}
	}
}

func TestAKafkaOutageMarksTheProduceAndServerSpansAsErrors(t *testing.T) {
	t.Parallel()
	f, exp := tracedFixture(t)
	f.sink.SetErr(errors.New("broker away"))
	if w := f.serve(apiRequest(string(example(t, event.ContactDeleted)), withCaller)); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", w.Code)
	}
	spans := spansByName(t, exp)
	server, produce := spans["POST /v1/events"], spans["send engage.contact.deleted"]
	if server.Status.Code != codes.Error || attr(server, "http.response.status_code") != "503" {
		t.Fatalf("server span status %v attributes %v", server.Status, server.Attributes)
	}
	if produce.Status.Code != codes.Error || attr(produce, "error.type") != "kafka_unavailable" {
		t.Fatalf("produce span status %v attributes %v", produce.Status, produce.Attributes)
	}
}

func TestTracingOffCarriesAWellFormedTraceparentAsItCame(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		parent      string
		wantParent  string
		wantState   string
		stateHeader string
	}{
		{"well formed", callerParent, callerParent, callerState, callerState},
		{"malformed, dropped with its state", "00-nothex", "", "", callerState},
		{"absent", "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil)
			r := f.engageRequest("msg_1", testNow, example(t, event.ContactDeleted))
			if c.parent != "" {
				r.Header.Set("traceparent", c.parent)
			}
			if c.stateHeader != "" {
				r.Header.Set("tracestate", c.stateHeader)
			}
			if w := f.serve(r); w.Code != http.StatusOK {
				t.Fatalf("status %d %s", w.Code, w.Body)
			}
			_, msgs := f.sink.Snapshot()
			tp, _ := header(msgs[0], "traceparent")
			ts, _ := header(msgs[0], "tracestate")
			if tp != c.wantParent || ts != c.wantState {
				t.Fatalf("record traceparent %q tracestate %q, want %q %q", tp, ts, c.wantParent, c.wantState)
			}
		})
	}
}
