package ingest

import (
	"net/http"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

func TestMetricsAreRegisteredAndCounted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	body := example(t, event.ContactDeleted)
	for range 2 {
		if w := f.serve(f.engageRequest("msg_m", f.now, body)); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	families, err := f.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, mf := range families {
		got[mf.GetName()] = true
		if mf.GetName() == "engagehub_kafka_write_seconds" {
			if n := mf.GetMetric()[0].GetHistogram().GetSampleCount(); n != 1 {
				t.Errorf("write histogram count = %d, want 1 (the duplicate is not written)", n)
			}
		}
		if mf.GetName() == "engagehub_ingest_bytes_total" {
			if v := mf.GetMetric()[0].GetCounter().GetValue(); v != float64(2*len(body)) {
				t.Errorf("bytes_total = %v, want %d", v, 2*len(body))
			}
		}
	}
	for _, name := range []string{"engagehub_ingest_requests_total", "engagehub_ingest_bytes_total",
		"engagehub_ingest_unrecognized_total", "engagehub_kafka_write_seconds", "engagehub_ingest_duplicates_total"} {
		if !got[name] {
			t.Errorf("metric %s not registered", name)
		}
	}
	if v := f.counter("requests", doorEngage, outcomeAccepted, "contact.deleted"); v != 1 {
		t.Errorf("accepted = %v", v)
	}
	if v := f.counter("requests", doorEngage, outcomeDuplicate, "contact.deleted"); v != 1 {
		t.Errorf("duplicate = %v", v)
	}
}
