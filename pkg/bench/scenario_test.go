package bench

import (
	"strings"
	"testing"
	"time"
)

func TestScenariosPresetTheDocsTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want func(Options) bool
	}{
		{"max-1", func(o Options) bool { return o.Rate == 0 && o.Subscriptions == 1 }},
		{"max-10", func(o Options) bool { return o.Rate == 0 && o.Subscriptions == 10 }},
		{"ingest", func(o Options) bool { return o.Rate == 0 && o.MaxBacklog == 0 }},
		{"latency", func(o Options) bool { return o.Rate == 2000 && o.Batch == 10 && o.Subscriptions == 1 }},
		{"max-100-vs-1", func(o Options) bool { return o.Rate == 0 && o.Subscriptions == 1 && o.Versus == 100 }},
		{"slow-1-of-10", func(o Options) bool {
			return o.Subscriptions == 10 && o.slowCount() == 1 && o.ReceiverLatency == 200*time.Millisecond && o.Rate > 0
		}},
		{"subs-idle", func(o Options) bool {
			return o.Subscriptions == 1000 && o.Idle && o.Restart && o.SharedHost && o.Duration == time.Minute
		}},
		{"subs-1000", func(o Options) bool {
			return o.Subscriptions == 1000 && o.Rate == 5 && o.Batch == 1 && o.SharedHost && !o.Idle && o.Duration == time.Minute
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ScenarioOptions(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			o.Binary = "/bin/true"
			if !tt.want(o) || o.Scenario != tt.name {
				t.Fatalf("options = %+v", o)
			}
			if err := o.Validate(); err != nil {
				t.Fatalf("preset does not validate: %v", err)
			}
		})
	}
	if _, err := ScenarioOptions("nope"); err == nil || !strings.Contains(err.Error(), "max-1") {
		t.Fatalf("unknown scenario: %v; want an error listing the presets", err)
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{{"max", 0, true}, {"MAX", 0, true}, {"2000", 2000, true}, {"0.5", 0.5, true}, {"0", 0, false}, {"-1", 0, false}, {"fast", 0, false}}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && FormatRate(got) != strings.ToLower(tt.in) {
			t.Errorf("FormatRate(%v) = %q, want %q", got, FormatRate(got), tt.in)
		}
	}
}

// The engage door takes what Engage sends: one event per request.
func TestValidateRefusesBatchesThroughTheEngageDoor(t *testing.T) {
	t.Parallel()
	o := DefaultOptions()
	o.Binary, o.Door = "engagehub", DoorEngage
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--batch 1") {
		t.Fatalf("--door engage with --batch %d: %v, want a refusal saying --batch 1", o.Batch, err)
	}
	o.Batch = 1
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateNamesEveryBadFlag(t *testing.T) {
	t.Parallel()
	o := DefaultOptions()
	o.Batch, o.Subscriptions, o.Failing, o.Slow, o.Duration = 0, 2, 2, 5, 0
	o.Idle, o.AddDuring, o.Door = true, 3, "side"
	err := o.Validate()
	if err == nil {
		t.Fatal("bad options validated")
	}
	for _, flag := range []string{"--batch", "--failing", "--slow", "--duration", "--add-during", "--door", "no engagehub binary"} {
		if !strings.Contains(err.Error(), flag) {
			t.Errorf("error lacks %s: %v", flag, err)
		}
	}
}
