package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// Versus is two max-rate runs in one invocation with the same options but
// the number of subscriptions. Issue 11 asks that 100 subscriptions
// deliver at least 90 % of what one does: subscriptions must cost state,
// not throughput.
type Versus struct {
	First  *Report `json:"first"`
	Second *Report `json:"second"`
	// Share is Second's deliveries/s over First's.
	Share  float64 `json:"share"`
	Target Target  `json:"target"`
}

// minVersusShare is the share of the first run's rate the second must reach.
const minVersusShare = 0.9

// RunVersus runs o, then o again with o.Versus subscriptions and without
// baselines (the first run measured them), and compares the two.
func RunVersus(ctx context.Context, o Options) (*Versus, error) {
	first, err := Run(ctx, o)
	if err != nil {
		return nil, err
	}
	second := o
	second.Subscriptions, second.Versus, second.BaselineDuration, second.CPUProfile = o.Versus, 0, 0, ""
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "bench: the same load with %d subscriptions\n", o.Versus)
	}
	rep, err := Run(ctx, second)
	if err != nil {
		return nil, fmt.Errorf("bench: the %d-subscription run: %w", o.Versus, err)
	}
	return NewVersus(first, rep), nil
}

// NewVersus compares second's deliveries/s with first's.
func NewVersus(first, second *Report) *Versus {
	v := &Versus{First: first, Second: second}
	if first.Delivery.PerSec > 0 {
		v.Share = second.Delivery.PerSec / first.Delivery.PerSec
	}
	v.Target = Target{
		Name: fmt.Sprintf("%d subscriptions ≥ %.0f %% of %d's deliveries/s", second.Params.Subscriptions,
			100*minVersusShare, first.Params.Subscriptions),
		Actual: fmt.Sprintf("%.0f %% (%s vs %s)", 100*v.Share, num(second.Delivery.PerSec), num(first.Delivery.PerSec)),
		Met:    first.Delivery.PerSec > 0 && v.Share >= minVersusShare,
	}
	return v
}

// Reports are the two runs, in order.
func (v *Versus) Reports() []*Report { return []*Report{v.First, v.Second} }

// WriteTable writes both runs' tables, then the comparison.
func (v *Versus) WriteTable(w io.Writer) error {
	for _, r := range v.Reports() {
		if err := r.WriteTable(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintf(w, "target             %s: %s, %s\n", v.Target.Name, v.Target.Actual, metWord(v.Target.Met))
	return err
}

// WriteJSON writes the comparison, both reports inside, indented.
func (v *Versus) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
