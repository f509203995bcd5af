package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

const (
	callerTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan   = "00f067aa0ba902b7"
	callerParent = "00-" + callerTrace + "-" + callerSpan + "-01"
)

// traceReceiver answers each request with the next status of its script
// (the last one from then on) and keeps the traceparent of each.
type traceReceiver struct {
	url      string
	mu       sync.Mutex
	statuses []int
	parents  []string
}

func newTraceReceiver(t *testing.T, statuses ...int) *traceReceiver {
	r := &traceReceiver{statuses: statuses}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.parents = append(r.parents, req.Header.Get("traceparent"))
		status := r.statuses[min(len(r.parents), len(r.statuses))-1]
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook"
	return r
}

func (r *traceReceiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.parents...)
}

// The done-when test of tracing: one event published with a traceparent,
// delivered to two subscriptions, one of them after a retry through a
// retry tier. Every webhook request carries the caller's trace id with its
// attempt's span as parent; the spans form one tree: the caller → ingest
// → a fan-out copy per subscription → its attempts; and the event record
// downstream consumers read carries the traceparent too.
func TestOneTraceFromIngestThroughFanOutToEveryAttempt(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.Sender.RetrySchedule = []time.Duration{0, time.Second}
	cfg.Sender.MemoryRetryMax = 500 * time.Millisecond // the retry waits in the 1s tier
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	a := newApp(cfg, allRoles, zap.NewNop())
	a.tracing = telemetry.WithProvider(tp)
	_, stop := runBuilt(t, a)
	defer stop()
	base := "http://" + cfg.HTTP.Listen
	rcvA, rcvB := newTraceReceiver(t, 204), newTraceReceiver(t, 503, 204)
	for id, url := range map[string]string{"trace-a": rcvA.url, "trace-b": rcvB.url} {
		sub := fmt.Sprintf(`{"id":%q,"eventTypes":["contact.deleted"],"destination":{"type":"webhook","url":%q}}`, id, url)
		if status, body := adminCall(t, http.MethodPost, base+"/v1/subscriptions", sub); status != http.StatusCreated {
			t.Fatalf("create %s = %d %s", id, status, body)
		}
	}
	publishTraced(t, base, `{"id":"traced-1","eventType":"contact.deleted","payload":{"contactId":"c-trace"}}`)
	eventually(t, 60*time.Second, "one delivery to trace-a and two attempts to trace-b", func() bool {
		return len(rcvA.got()) == 1 && len(rcvB.got()) == 2
	})
	eventually(t, 10*time.Second, "eight spans", func() bool { return len(exp.GetSpans()) >= 8 })

	tree := newSpanTree(t, exp.GetSpans())
	ingest := tree.only(t, "POST /v1/events")
	if ingest.Parent.SpanID().String() != callerSpan || !ingest.Parent.IsRemote() {
		t.Fatalf("ingest span's parent %s, want the caller's %s", ingest.Parent.SpanID(), callerSpan)
	}
	for _, name := range []string{"encode", "send engage.contact.deleted"} {
		tree.childOf(t, tree.only(t, name), ingest)
	}
	for rcv, id := range map[*traceReceiver]string{rcvA: "trace-a", rcvB: "trace-b"} {
		cp := tree.only(t, "copy engagehub.deliver."+id)
		tree.childOf(t, cp, ingest)
		attempts := tree.children(cp, "POST")
		parents := rcv.got()
		if len(attempts) != len(parents) {
			t.Fatalf("%s: %d attempt spans under its copy, %d requests", id, len(attempts), len(parents))
		}
		for i, p := range parents {
			if !strings.HasPrefix(p, "00-"+callerTrace+"-") {
				t.Fatalf("%s request %d traceparent %q: not the caller's trace", id, i+1, p)
			}
			if !tree.hasSpanID(attempts, p[36:52]) {
				t.Fatalf("%s request %d traceparent %q: its parent is none of the attempt spans", id, i+1, p)
			}
		}
	}
	rec := readRecord(context.Background(), t, a, "engage.contact.deleted", "c-trace")
	if tp := recordHeader(rec, "traceparent"); tp != "00-"+callerTrace+"-"+ingest.SpanContext.SpanID().String()+"-01" {
		t.Fatalf("event record traceparent %q, want the ingest span's", tp)
	}
}

func publishTraced(t *testing.T, base, envelope string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/events", strings.NewReader(envelope))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", callerParent)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /v1/events = %d", res.StatusCode)
	}
}

// spanTree is the exported spans of one trace.
type spanTree struct{ spans []tracetest.SpanStub }

func newSpanTree(t *testing.T, spans []tracetest.SpanStub) spanTree {
	t.Helper()
	for _, s := range spans {
		if s.SpanContext.TraceID().String() != callerTrace {
			t.Fatalf("span %q in trace %s, want the caller's %s", s.Name, s.SpanContext.TraceID(), callerTrace)
		}
	}
	return spanTree{spans: spans}
}

func (tr spanTree) only(t *testing.T, name string) tracetest.SpanStub {
	t.Helper()
	var out []tracetest.SpanStub
	for _, s := range tr.spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d spans named %q, want 1", len(out), name)
	}
	return out[0]
}

func (tr spanTree) childOf(t *testing.T, child, parent tracetest.SpanStub) {
	t.Helper()
	if child.Parent.SpanID() != parent.SpanContext.SpanID() {
		t.Fatalf("span %q's parent is %s, want %q (%s)", child.Name, child.Parent.SpanID(), parent.Name, parent.SpanContext.SpanID())
	}
}

func (tr spanTree) children(parent tracetest.SpanStub, name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range tr.spans {
		if s.Name == name && s.Parent.SpanID() == parent.SpanContext.SpanID() {
			out = append(out, s)
		}
	}
	return out
}

func (tr spanTree) hasSpanID(spans []tracetest.SpanStub, id string) bool {
	for _, s := range spans {
		if s.SpanContext.SpanID().String() == id {
			return true
		}
	}
	return false
}

func recordHeader(m kafka.Message, name string) string {
	for _, h := range m.Headers {
		if h.Key == name {
			return string(h.Value)
		}
	}
	return ""
}
