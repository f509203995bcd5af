package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	o := DefaultOptions()
	rep := &Report{
		Scenario: "max-1", Date: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC),
		Machine: Machine{CPUs: 2, GoVersion: "go1.26", OS: "linux/amd64", LoadAvg: "1.50 2.00 2.50"}, Broker: "embedded",
		Params:    Params{Rate: "max", Batch: 50, Concurrency: 16, Subscriptions: 1, Contacts: 1000, Payload: 512, Duration: 20, Verify: true},
		Ingest:    IngestResult{Sent: 400000, Acked: 400000, AcksPerSec: 20000},
		Delivery:  DeliveryStats{Expected: 400000, Delivered: 400000, PerSec: 12345.6, DrainComplete: true},
		Latency:   Latency{Count: 400000, P50: 3.2, P90: 7.5, P99: 21.25, Max: 80},
		Engagehub: Resources{CPUSeconds: 30.5, PeakRSSMiB: 120, CPUPerDeliverUs: 76},
		Baselines: Baselines{HTTP: &HTTPBaseline{Concurrency: 64, PerSec: 24691.2, CPUPerReqUs: 31}, Kafka: &KafkaBaseline{ProducePerSec: 80000, ConsumePerSec: 150000}},
	}
	rep.Ratios = ratios(rep)
	rep.Targets = targets(rep, o)
	return rep
}

func TestRatiosDivideByTheirBaselines(t *testing.T) {
	t.Parallel()
	r := sampleReport().Ratios
	if r.DeliveriesVsHTTP != 0.5 || r.AcksVsKafkaProduce != 0.25 {
		t.Fatalf("ratios = %+v; want 0.5 and 0.25", r)
	}
	if (ratios(&Report{})) != (Ratios{}) {
		t.Fatal("without baselines the ratios should be 0")
	}
}

func TestTargetsFollowTheScenario(t *testing.T) {
	t.Parallel()
	rep := sampleReport()
	got := map[string]bool{}
	for _, tg := range rep.Targets {
		got[tg.Name] = tg.Met
	}
	want := map[string]bool{"losses = 0": true, "≥ 20,000 deliveries/s": false, "≥ 0.5 × bare http client": true}
	if len(got) != len(want) {
		t.Fatalf("max-rate targets = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("target %q met = %v, want %v", k, got[k], v)
		}
	}
	o := DefaultOptions()
	o.Rate = 2000
	lat := targets(rep, o)
	if len(lat) != 2 || lat[1].Name != "p99 < 50 ms at 2,000 events/s" || !lat[1].Met || lat[1].Actual != "21.2 ms" {
		t.Fatalf("fixed-rate targets = %+v", lat)
	}
}

func TestTableShowsFiguresBaselinesAndRatios(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := sampleReport().WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"2 CPUs (load average 1.50 2.00 2.50)", "broker embedded",
		"ingest acks/s", "20,000", "80,000 kafka produce/s", "0.25×",
		"deliveries/s", "12,346", "24,691 http req/s (c=64)", "0.50×",
		"p50 3.2  p90 7.5  p99 21.2  max 80.0",
		"≥ 20,000 deliveries/s: 12,346, MISSED", "peak 120 MiB", "(76 µs per delivery; a bare exchange, client and receiver, 31 µs)", "150,000 kafka consume/s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestJSONReportNamesItsFigures(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := sampleReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	ratios := m["ratios"].(map[string]any)
	if ratios["deliveriesVsBareHttp"] != 0.5 || m["delivery"].(map[string]any)["losses"] != 0.0 {
		t.Fatalf("JSON = %s", b.String())
	}
	if m["latency"].(map[string]any)["p99Ms"] != 21.25 {
		t.Fatalf("latency p99Ms missing: %s", b.String())
	}
}

func TestNumGroupsThousands(t *testing.T) {
	t.Parallel()
	tests := map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.8: "1,234,568", 20000: "20,000"}
	for in, want := range tests {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %q, want %q", in, got, want)
		}
	}
}
