package bench

import "fmt"

// targets checks DESIGN.md §5 and issue 11: at rest (--idle) what
// subscriptions cost; for subs-1000 the many-subscriptions targets;
// otherwise throughput targets at max rate, the latency target at a fixed
// rate; and no loss always.
func targets(rep *Report, o Options) []Target {
	out := []Target{{Name: "losses = 0", Actual: fmt.Sprint(rep.Delivery.Losses), Met: rep.Delivery.Losses == 0}}
	switch {
	case o.Idle:
		return append(out, idleTargets(rep)...)
	case o.Scenario == "subs-1000":
		return append(out, manySubsTargets(rep)...)
	case o.Rate == 0:
		out = append(out, Target{Name: "≥ 20,000 deliveries/s", Actual: num(rep.Delivery.PerSec), Met: rep.Delivery.PerSec >= 20000})
		if rep.Ratios.DeliveriesVsHTTP > 0 {
			out = append(out, Target{Name: "≥ 0.5 × bare http client", Actual: ratio(rep.Ratios.DeliveriesVsHTTP), Met: rep.Ratios.DeliveriesVsHTTP >= 0.5})
		}
		return out
	}
	name := fmt.Sprintf("p99 < 50 ms at %s events/s", num(o.Rate))
	return append(out, Target{Name: name, Actual: fmt.Sprintf("%.1f ms", rep.Latency.P99), Met: rep.Latency.P99 < 50})
}

// idleTargets are issue 11's for subs-idle (set for 1,000 subscriptions).
func idleTargets(rep *Report) []Target {
	e := rep.Engagehub
	out := []Target{
		{Name: "CPU < 0.05 at rest", Actual: fmt.Sprintf("%.3f", e.CPUPerSecond), Met: e.CPUPerSecond < 0.05},
		{Name: "peak RSS < 300 MiB", Actual: fmt.Sprintf("%.0f MiB", e.PeakRSSMiB), Met: e.PeakRSSMiB < 300},
	}
	if p := e.Process; p != nil {
		out = append(out,
			Target{Name: "goroutines < 2,000", Actual: num(float64(p.Goroutines.Peak)), Met: p.GoroutineSamples > 0 && p.Goroutines.Peak < 2000},
			Target{Name: "open fds < 500", Actual: num(float64(p.OpenFDs.Peak)), Met: p.Samples > 0 && p.OpenFDs.Peak < 500})
	}
	if st := rep.Startup; st != nil {
		out = append(out, Target{Name: "start-up to delivering < 15 s", Actual: fmt.Sprintf("%.1f s", st.DeliveringSeconds),
			Met: st.Covered && st.DeliveringSeconds < 15})
	}
	return out
}

// manySubsTargets are issue 11's for subs-1000.
func manySubsTargets(rep *Report) []Target {
	d, in := rep.Delivery, rep.Ingest
	var out []Target
	if s := rep.Senders; s != nil && s.Killed {
		// a killed sender's unsettled deliveries are sent again by the
		// others: duplicates are expected, counted in the report
		out = append(out, Target{Name: "killed sender back and ready", Actual: fmt.Sprintf("%.1f s", s.ReadySeconds),
			Met: s.Error == "" && s.ReadySeconds > 0})
	} else {
		out = append(out, Target{Name: "duplicates = 0", Actual: fmt.Sprint(d.Duplicates), Met: d.Duplicates == 0})
	}
	out = append(out, []Target{
		{Name: "≥ 99 % delivered while the load runs", Actual: fmt.Sprintf("%.2f %%", 100*d.DuringLoad.Fraction), Met: d.DuringLoad.Fraction >= 0.99},
		{Name: "p99 < 500 ms", Actual: fmt.Sprintf("%.1f ms", rep.Latency.P99), Met: rep.Latency.Count > 0 && rep.Latency.P99 < 500},
		{Name: "ingest never answers 503", Actual: fmt.Sprint(in.Unavailable), Met: in.Unavailable == 0},
	}...)
	if a := rep.AddDuring; a != nil {
		out = append(out, Target{Name: "every other subscription's p99 < 1 s while adding", Actual: fmt.Sprintf("%.1f ms", a.WorstP99Ms),
			Met: a.Error == "" && a.During.Count > 0 && a.WorstP99Ms < 1000})
	}
	return out
}
