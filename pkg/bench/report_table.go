package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes r for people: each engagehub figure beside its
// baseline and the ratio, then the accounting, latency and resources.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "engagehub bench: %s — %s UTC, %d CPUs (load average %s), %s, %s, broker %s\n",
		r.Scenario, r.Date.Format("2006-01-02 15:04"), r.Machine.CPUs, r.Machine.LoadAvg, r.Machine.GoVersion, r.Machine.OS, r.Broker)
	fmt.Fprintf(w, "load: %s\n", r.Params)
	fmt.Fprintf(w, "other processes on the machine used %.1f CPUs during the baselines, %.1f during the run\n\n",
		r.Machine.OtherCPUs.Baselines, r.Machine.OtherCPUs.Run)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format+"\n", a...) }
	for _, section := range []func(func(string, ...any)){r.writeThroughput, r.writeAccounting, r.writeMany, r.writeResources, r.writeVerdicts} {
		section(p)
	}
	return tw.Flush()
}

func (r *Report) writeThroughput(p func(string, ...any)) {
	if r.Params.Idle {
		return
	}
	p("\tengagehub\tbare baseline\tratio")
	p("ingest acks/s\t%s\t%s kafka produce/s\t%s", num(r.Ingest.AcksPerSec), baseKafka(r.Baselines.Kafka), ratio(r.Ratios.AcksVsKafkaProduce))
	p("deliveries/s\t%s\t%s http req/s (c=%d)\t%s", num(r.Delivery.PerSec), baseHTTP(r.Baselines.HTTP), httpConc(r.Baselines.HTTP), ratio(r.Ratios.DeliveriesVsHTTP))
	p("\t\t%s kafka consume/s\t", baseConsume(r.Baselines.Kafka))
	p("")
}

func (r *Report) writeAccounting(p func(string, ...any)) {
	if r.Params.Idle {
		return
	}
	p("events\tsent %d, acked %d, failed %d", r.Ingest.Sent, r.Ingest.Acked, r.Ingest.Failed)
	p("deliveries\t%d of %d expected, in %.1fs (drain %.1fs)", r.Delivery.Delivered, r.Delivery.Expected, r.Delivery.Seconds, r.Delivery.DrainSeconds)
	p("losses\t%d %s", r.Delivery.Losses, strings.Join(r.Delivery.LostIDs, " "))
	if r.Delivery.Pending > 0 {
		p("pending\t%d (still arriving when --drain passed)", r.Delivery.Pending)
	}
	p("duplicates\t%d", r.Delivery.Duplicates)
	p("latency ms\t%s  (ingest ack → receiver)", lat(r.Latency))
	if r.Slow != nil {
		p("slow endpoints ms\t%s", lat(*r.Slow))
	}
	p("ingest request ms\t%s", lat(r.Ingest.Latency))
}

func (r *Report) writeResources(p func(string, ...any)) {
	e := r.Engagehub
	perDelivery := ""
	if e.CPUPerDeliverUs > 0 {
		perDelivery = fmt.Sprintf(" (%.0f µs per delivery%s)", e.CPUPerDeliverUs, bareCPU(r.Baselines.HTTP))
	}
	p("engagehub\t%.1f CPU s = %.3f CPUs over the %.1fs window%s, RSS %.0f MiB at the end, peak %.0f MiB",
		e.CPUSeconds, e.CPUPerSecond, r.Delivery.WindowSeconds, perDelivery, e.RSSMiB, e.PeakRSSMiB)
	if g := e.Process; g != nil {
		p("engagehub process\t%s", g)
	}
	if st := r.Startup; st != nil {
		p("start-up\t%s", st)
	}
	p("bench process\t%.1f CPU s (load, receiver, embedded broker)", r.Bench.CPUSeconds)
}

func (r *Report) writeVerdicts(p func(string, ...any)) {
	for _, t := range r.Targets {
		p("target\t%s: %s, %s", t.Name, t.Actual, metWord(t.Met))
	}
	if r.Profile != "" {
		p("cpu profile\t%s (go tool pprof -top %s)", r.Profile, r.Profile)
	}
	for _, warn := range r.Warnings {
		p("warning\t%s", warn)
	}
}

// String describes the load in one line.
func (p Params) String() string {
	s := p.load()
	if p.SharedHost {
		s += ", one receiver host:port for all"
	}
	if p.Restart {
		s += ", engagehub restarted once they were made"
	}
	verify := "signatures verified"
	if !p.Verify {
		verify = "signatures not verified"
	}
	return s + fmt.Sprintf(", %d contacts, %d B envelopes, %gs, %s", p.Contacts, p.Payload, p.Duration, verify)
}

// load describes the offered load and the subscriptions.
func (p Params) load() string {
	subs := "subscriptions"
	if p.Subscriptions == 1 {
		subs = "subscription"
	}
	if p.Idle {
		return fmt.Sprintf("no load (idle), %d %s", p.Subscriptions, subs)
	}
	s := fmt.Sprintf("rate %s, batch %d, concurrency %d, %d %s", p.Rate, p.Batch, p.Concurrency, p.Subscriptions, subs)
	if p.Door == DoorEngage {
		s = "POST /ingest/engage (Svix-signed, one event per request), " + s
	}
	if p.Rate == "max" && p.MaxBacklog > 0 {
		s += fmt.Sprintf(" (ingest held back while > %d deliveries are owed)", p.MaxBacklog)
	}
	if p.Failing > 0 {
		s += fmt.Sprintf(" (%d failing)", p.Failing)
	}
	if p.ReceiverLatency != "0s" && p.ReceiverLatency != "" && p.Slow > 0 {
		s += fmt.Sprintf(" (%d answering after %s)", p.Slow, p.ReceiverLatency)
	}
	if p.AddDuring > 0 {
		s += fmt.Sprintf(", %d more made halfway", p.AddDuring)
	}
	if p.Senders > 1 {
		s += fmt.Sprintf(", %d sender instances", p.Senders)
	}
	if p.KillSender {
		s += ", one killed with SIGKILL halfway"
	}
	return s
}

func lat(l Latency) string {
	return fmt.Sprintf("p50 %.1f  p90 %.1f  p99 %.1f  max %.1f", l.P50, l.P90, l.P99, l.Max)
}

func num(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func ratio(r float64) string {
	if r == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", r)
}

func baseKafka(k *KafkaBaseline) string {
	if k == nil {
		return "–"
	}
	return num(k.ProducePerSec)
}

func baseConsume(k *KafkaBaseline) string {
	if k == nil {
		return "–"
	}
	return num(k.ConsumePerSec)
}

func baseHTTP(h *HTTPBaseline) string {
	if h == nil {
		return "–"
	}
	return num(h.PerSec)
}

// bareCPU is what one bare signed exchange cost, to set beside
// engagehub's CPU per delivery.
func bareCPU(h *HTTPBaseline) string {
	if h == nil || h.CPUPerReqUs <= 0 {
		return ""
	}
	return fmt.Sprintf("; a bare exchange, client and receiver, %.0f µs", h.CPUPerReqUs)
}

func httpConc(h *HTTPBaseline) int {
	if h == nil {
		return 0
	}
	return h.Concurrency
}

func metWord(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

// writeMany writes the lines of the many-subscriptions figures.
func (r *Report) writeMany(p func(string, ...any)) {
	s := r.Subscriptions
	p("subscriptions\t%s created in %.1fs (%.0f/s, %d requests at a time)", num(float64(s.Count)), s.Seconds, s.PerSec, s.Concurrency)
	if r.Params.Idle {
		return
	}
	d := r.Delivery.DuringLoad
	p("during the load\t%d of %d offered deliveries arrived before it stopped (%.2f %%)", d.Delivered, d.Offered, 100*d.Fraction)
	p("ingest 503\t%d events", r.Ingest.Unavailable)
	if a := r.AddDuring; a != nil {
		p("add-during\t%s", a)
	}
	if s := r.Senders; s != nil {
		p("senders\t%s", s)
	}
}

// String describes the sampled figures in one line.
func (g ProcessGauges) String() string {
	goroutines := fmt.Sprintf("goroutines peak %s end %s", num(float64(g.Goroutines.Peak)), num(float64(g.Goroutines.End)))
	if g.GoroutineSamples == 0 {
		goroutines = "goroutines unknown"
	}
	limit := ""
	if g.FDLimit > 0 {
		limit = " of " + num(float64(g.FDLimit))
	}
	return fmt.Sprintf("%s · open fds peak %s end %s%s · broker connections peak %d end %d · tcp connections peak %d end %d (%d samples)",
		goroutines, num(float64(g.OpenFDs.Peak)), num(float64(g.OpenFDs.End)), limit, g.BrokerConns.Peak, g.BrokerConns.End,
		g.TCPConns.Peak, g.TCPConns.End, g.Samples)
}

// String describes the start-up in one line.
func (st *Startup) String() string {
	covered := ""
	if !st.Covered {
		covered = " (NOT every partition was probed)"
	}
	return fmt.Sprintf("with %s subscriptions: stopped in %.1fs; restarted, /readyz 200 after %.1fs, delivering on all %d partitions of every delivery topic after %.1fs%s",
		num(float64(st.Subscriptions)), st.StopSeconds, st.ReadySeconds, st.Partitions, st.DeliveringSeconds, covered)
}

// String describes the sender instances in one line.
func (s *Senders) String() string {
	out := fmt.Sprintf("%d instances sharing the subscriptions (CPU, memory and gauges above are the main process's)", s.Count)
	switch {
	case s.Error != "":
		out += fmt.Sprintf("; one killed at %.1fs did not come back: %s", s.KilledAtSeconds, s.Error)
	case s.Killed:
		out += fmt.Sprintf("; one killed with SIGKILL at %.1fs, restarted %s later and ready in %.1fs", s.KilledAtSeconds, killPause, s.ReadySeconds)
	}
	return out
}

// String describes the addition in one line.
func (a *AddDuring) String() string {
	s := fmt.Sprintf("%d subscriptions made at %.1fs in %.1fs; the others' p99 %.1f ms before, %.1f ms in %.1f–%.1fs (worst one %.1f ms, %s); ",
		a.Added, a.AtSeconds, a.CreateSeconds, a.Before.P99, a.During.P99, a.Window[0], a.Window[1], a.WorstP99Ms, a.WorstSubscription)
	if a.Reached == 0 {
		return s + fmt.Sprintf("none of the %d added received an event by the end of the drain", a.Added)
	}
	return s + fmt.Sprintf("%d of %d added received events, the last of them its first %.1fs after creation started", a.Reached, a.Added, a.FirstDeliverySeconds)
}
