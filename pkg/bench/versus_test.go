package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func versusReport(subs int, perSec float64) *Report {
	return &Report{Scenario: "max-100-vs-1", Params: Params{Subscriptions: subs}, Delivery: DeliveryStats{PerSec: perSec}}
}

func TestVersusMeetsItsTargetOnlyAtNinetyPercentOfTheFirstRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		first, second float64
		met           bool
	}{
		{25000, 27000, true},
		{25000, 22500, true},
		{25000, 22000, false},
		{0, 1000, false}, // a first run that delivered nothing proves nothing
	}
	for _, tt := range tests {
		v := NewVersus(versusReport(1, tt.first), versusReport(100, tt.second))
		if v.Target.Met != tt.met {
			t.Errorf("%v vs %v: met = %v, want %v (%+v)", tt.first, tt.second, v.Target.Met, tt.met, v.Target)
		}
	}
	v := NewVersus(versusReport(1, 25000), versusReport(100, 22000))
	if !strings.Contains(v.Target.Name, "100 subscriptions ≥ 90 % of 1's") || !strings.Contains(v.Target.Actual, "88 %") {
		t.Fatalf("target = %+v; want it to name both counts and the share", v.Target)
	}
}

func TestVersusPrintsBothRunsAndTheVerdict(t *testing.T) {
	t.Parallel()
	v := NewVersus(versusReport(1, 20000), versusReport(100, 19000))
	var table bytes.Buffer
	if err := v.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	out := table.String()
	if strings.Count(out, "engagehub bench: max-100-vs-1") != 2 || !strings.Contains(out, "95 % (19,000 vs 20,000), met") {
		t.Fatalf("table:\n%s", out)
	}
	var js bytes.Buffer
	if err := v.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back struct {
		First, Second struct{ Params Params }
		Share         float64
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Second.Params.Subscriptions != 100 || back.Share != 0.95 {
		t.Fatalf("json %s: %+v, %v", js.String(), back, err)
	}
}

func TestVersusNeedsMaxRate(t *testing.T) {
	t.Parallel()
	o := DefaultOptions()
	o.Binary, o.Versus, o.Rate = "/bin/true", 100, 500
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--versus") {
		t.Fatalf("Validate = %v; want --versus named", err)
	}
}
