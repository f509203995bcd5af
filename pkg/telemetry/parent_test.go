package telemetry

import (
	"net/http"
	"testing"

	"github.com/engagehub/engagehub/pkg/kafka"
)

const (
	goodParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	goodState  = "vendor=opaque"
)

func TestValidTraceParentAcceptsOnlyWellFormedContexts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want bool
	}{
		{"version 00", goodParent, true},
		{"not sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true},
		{"later version with more fields", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", true},
		{"empty", "", false},
		{"version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"version 00 with more fields", goodParent + "-x", false},
		{"uppercase hex", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
		{"zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
		{"zero span id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
		{"short", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false},
		{"bad separator", "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"not hex", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ValidTraceParent(c.in); got != c.want {
				t.Fatalf("ValidTraceParent(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}

func TestParentFromHTTPDropsAMalformedTraceparentAndItsState(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		header http.Header
		want   Parent
	}{
		{"well formed", http.Header{"Traceparent": {goodParent}, "Tracestate": {goodState}}, Parent{goodParent, goodState}},
		{"no tracestate", http.Header{"Traceparent": {goodParent}}, Parent{TraceParent: goodParent}},
		{"malformed", http.Header{"Traceparent": {"garbage"}, "Tracestate": {goodState}}, Parent{}},
		{"absent", http.Header{}, Parent{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ParentFromHTTP(c.header); got != c.want {
				t.Fatalf("ParentFromHTTP = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestAppendToReplacesTheRecordsTraceContextAndKeepsTheOtherHeaders(t *testing.T) {
	t.Parallel()
	hs := []kafka.Header{{Key: "event-id", Value: []byte("e1")}, {Key: HeaderTraceParent, Value: []byte("old")}}
	got := Parent{TraceParent: goodParent, TraceState: goodState}.AppendTo(hs)
	want := map[string]string{"event-id": "e1", HeaderTraceParent: goodParent, HeaderTraceState: goodState}
	if len(got) != len(want) {
		t.Fatalf("headers = %v, want %d of them", got, len(want))
	}
	for _, h := range got {
		if want[h.Key] != string(h.Value) {
			t.Fatalf("header %s = %q, want %q", h.Key, h.Value, want[h.Key])
		}
	}
	if p := ParentFromRecord(got); p != (Parent{goodParent, goodState}) {
		t.Fatalf("ParentFromRecord = %+v", p)
	}
	if out := (Parent{}).AppendTo(hs); len(out) != len(hs) {
		t.Fatalf("an empty parent changed the headers: %v", out)
	}
}

func TestSetHTTPSetsTheW3CHeaders(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	Parent{TraceParent: goodParent, TraceState: goodState}.SetHTTP(h)
	if h.Get("traceparent") != goodParent || h.Get("tracestate") != goodState {
		t.Fatalf("headers = %v", h)
	}
	empty := http.Header{}
	Parent{}.SetHTTP(empty)
	if len(empty) != 0 {
		t.Fatalf("an empty parent set %v", empty)
	}
}
