package bench

import "testing"

func metByName(ts []Target) map[string]bool {
	out := map[string]bool{}
	for _, t := range ts {
		out[t.Name] = t.Met
	}
	return out
}

func TestIdleTargetsJudgeTheRestingProcess(t *testing.T) {
	t.Parallel()
	rep := &Report{
		Engagehub: Resources{CPUPerSecond: 0.03, PeakRSSMiB: 320, Process: &ProcessGauges{
			Goroutines: Gauge{Peak: 1500}, OpenFDs: Gauge{Peak: 600}, Samples: 60, GoroutineSamples: 6}},
		Startup: &Startup{DeliveringSeconds: 9, Covered: true},
	}
	got := metByName(targets(rep, Options{Idle: true}))
	want := map[string]bool{"losses = 0": true, "CPU < 0.05 at rest": true, "peak RSS < 300 MiB": false,
		"goroutines < 2,000": true, "open fds < 500": false, "start-up to delivering < 15 s": true}
	if len(got) != len(want) {
		t.Fatalf("targets = %v, want %v", got, want)
	}
	for name, met := range want {
		if got[name] != met {
			t.Errorf("%q met = %v, want %v", name, got[name], met)
		}
	}
	rep.Startup.Covered = false
	if metByName(targets(rep, Options{Idle: true}))["start-up to delivering < 15 s"] {
		t.Error("a start-up whose probes missed partitions met the target")
	}
}

func TestManySubscriptionsTargets(t *testing.T) {
	t.Parallel()
	rep := &Report{
		Ingest:    IngestResult{Unavailable: 10},
		Delivery:  DeliveryStats{Duplicates: 0, DuringLoad: Fraction{Offered: 1000, Delivered: 995, Fraction: 0.995}},
		Latency:   Latency{Count: 995, P99: 620},
		AddDuring: &AddDuring{During: Latency{Count: 50}, WorstP99Ms: 700},
	}
	got := metByName(targets(rep, Options{Scenario: "subs-1000", Rate: 5}))
	want := map[string]bool{"losses = 0": true, "duplicates = 0": true, "≥ 99 % delivered while the load runs": true,
		"p99 < 500 ms": false, "ingest never answers 503": false, "every other subscription's p99 < 1 s while adding": true}
	if len(got) != len(want) {
		t.Fatalf("targets = %v, want %v", got, want)
	}
	for name, met := range want {
		if got[name] != met {
			t.Errorf("%q met = %v, want %v", name, got[name], met)
		}
	}
}
