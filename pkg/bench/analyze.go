package bench

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// maxLostIDs is how many lost event ids a report lists.
const maxLostIDs = 10

// tallied is the per-event account of a run.
type tallied struct {
	DeliveryStats
	fast, slow  *Histogram
	lastArrival int64
}

// tally walks every event sent against every healthy endpoint: acked and
// arrived is a delivery (its latency recorded), acked and missing a loss.
func (r *runner) tally() tallied {
	t := tallied{fast: &Histogram{}, slow: &Histogram{}}
	healthy := r.healthy()
	sent := int(r.load.Sent())
	for seq := range sent {
		ack := r.load.Acks.Get(seq)
		for _, ep := range healthy {
			t.account(ep, seq, ack, r.env)
		}
	}
	t.Expected = r.load.Acked() * int64(len(healthy))
	for _, ep := range r.recv.Endpoints {
		t.Duplicates += ep.Duplicates()
		t.Rejected += ep.Rejected()
		t.FailingCalls += ep.Refused()
	}
	return t
}

func (t *tallied) account(ep *Endpoint, seq int, ack int64, env *Envelopes) {
	arr := ep.Arrival(seq)
	switch {
	case ack == 0 && arr != 0:
		t.Unacked++
	case ack == 0:
	case arr == 0:
		t.Losses++
		if len(t.LostIDs) < maxLostIDs {
			t.LostIDs = append(t.LostIDs, string(env.AppendID(nil, kindLoad, seq)))
		}
	default:
		t.Delivered++
		t.lastArrival = max(t.lastArrival, arr)
		h := t.fast
		if ep.delay > 0 {
			h = t.slow
		}
		h.Record(time.Duration(arr - ack))
	}
}

// report assembles the Report from the measurement and the tally.
func (r *runner) report() *Report {
	t := r.tally()
	m := r.m
	rep := &Report{
		Scenario: r.o.Scenario, Date: time.Now().UTC().Truncate(time.Second),
		Machine: Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, LoadAvg: loadAvg(),
			OtherCPUs: OtherCPUs{Baselines: r.baseOthers, Run: m.otherCPUs}},
		Broker: r.brokerName(), Params: r.params(), Baselines: r.base, Profile: m.profile,
	}
	rep.Ingest = IngestResult{Sent: r.load.Sent(), Acked: r.load.Acked(), Failed: r.load.Failed(),
		Stalled: r.load.Stalled(), Latency: Summarize(&r.load.Ingest), LastError: r.load.LastError(),
		AcksPerSec: perSec(r.load.Acked(), m.loadEnd-m.start)}
	rep.Delivery = t.DeliveryStats
	rep.Delivery.Seconds = seconds(max(t.lastArrival, m.loadEnd) - m.start)
	rep.Delivery.PerSec = perSec(t.Delivered, max(t.lastArrival, m.loadEnd)-m.start)
	rep.Delivery.DrainSeconds = seconds(m.end - m.loadEnd)
	rep.Delivery.DrainComplete = m.drain == drainComplete
	if m.drain == drainCutOff {
		// Deliveries were still arriving: the missing ones are late, not
		// proven lost.
		rep.Delivery.Pending, rep.Delivery.Losses, rep.Delivery.LostIDs = t.Losses, 0, nil
	}
	rep.Latency = Summarize(t.fast)
	if t.slow.Count() > 0 {
		s := Summarize(t.slow)
		rep.Slow = &s
	}
	cpu := (m.childAfter.CPU - m.childBefore.CPU).Seconds()
	rep.Engagehub = Resources{CPUSeconds: cpu, PeakRSSMiB: float64(m.childAfter.PeakRSS) / (1 << 20)}
	if t.Delivered > 0 {
		rep.Engagehub.CPUPerDeliverUs = cpu * 1e6 / float64(t.Delivered)
	}
	rep.Bench = Resources{CPUSeconds: m.selfCPU.Seconds()}
	rep.Ratios = ratios(rep)
	rep.Targets = targets(rep, r.o)
	rep.Warnings = r.warnings(rep)
	return rep
}

func (r *runner) brokerName() string {
	if len(r.o.Brokers) == 0 {
		return "embedded"
	}
	return fmt.Sprint(r.o.Brokers)
}

func (r *runner) params() Params {
	o := r.o
	return Params{Rate: FormatRate(o.Rate), Batch: o.Batch, Concurrency: o.Concurrency,
		Subscriptions: o.Subscriptions, Failing: o.Failing, Slow: o.slowCount(),
		ReceiverLatency: o.ReceiverLatency.String(), Contacts: o.Contacts, Payload: o.Payload,
		Duration: o.Duration.Seconds(), Verify: o.Verify, SharedHost: o.SharedHost, MaxBacklog: o.MaxBacklog}
}

func ratios(rep *Report) Ratios {
	var out Ratios
	if h := rep.Baselines.HTTP; h != nil && h.PerSec > 0 {
		out.DeliveriesVsHTTP = rep.Delivery.PerSec / h.PerSec
	}
	if k := rep.Baselines.Kafka; k != nil && k.ProducePerSec > 0 {
		out.AcksVsKafkaProduce = rep.Ingest.AcksPerSec / k.ProducePerSec
	}
	return out
}

// targets checks DESIGN.md §5: throughput targets at max rate, the latency
// target at a fixed rate, and no loss always.
func targets(rep *Report, o Options) []Target {
	out := []Target{{Name: "losses = 0", Actual: fmt.Sprint(rep.Delivery.Losses), Met: rep.Delivery.Losses == 0}}
	if o.Rate == 0 {
		out = append(out, Target{Name: "≥ 20,000 deliveries/s", Actual: num(rep.Delivery.PerSec), Met: rep.Delivery.PerSec >= 20000})
		if rep.Ratios.DeliveriesVsHTTP > 0 {
			out = append(out, Target{Name: "≥ 0.5 × bare http client", Actual: ratio(rep.Ratios.DeliveriesVsHTTP), Met: rep.Ratios.DeliveriesVsHTTP >= 0.5})
		}
		return out
	}
	name := fmt.Sprintf("p99 < 50 ms at %s events/s", num(o.Rate))
	return append(out, Target{Name: name, Actual: fmt.Sprintf("%.1f ms", rep.Latency.P99), Met: rep.Latency.P99 < 50})
}

func (r *runner) warnings(rep *Report) []string {
	var w []string
	switch r.m.drain {
	case drainCutOff:
		w = append(w, fmt.Sprintf("--drain %s passed with %d deliveries still pending (and arriving): losses unproven; raise --drain or lower --max-backlog", r.o.Drain, rep.Delivery.Pending))
	case drainIdle:
		w = append(w, fmt.Sprintf("no delivery arrived for %s (--drain-idle): the missing events are counted as lost", r.o.DrainIdle))
	}
	if rep.Delivery.Rejected > 0 {
		w = append(w, fmt.Sprintf("%d deliveries failed signature verification", rep.Delivery.Rejected))
	}
	if rep.Ingest.Stalled > 0 {
		w = append(w, fmt.Sprintf("%d batches waited for a free client: the offered rate slipped (raise --concurrency)", rep.Ingest.Stalled))
	}
	if rep.Ingest.Failed > 0 {
		w = append(w, fmt.Sprintf("ingest refused %d events; last: %s", rep.Ingest.Failed, rep.Ingest.LastError))
	}
	if r.m.profileErr != nil {
		w = append(w, r.m.profileErr.Error())
	}
	return w
}

// loadAvg returns the 1, 5 and 15 minute load averages, "" if unknown.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func perSec(n int64, nanos int64) float64 {
	if nanos <= 0 {
		return 0
	}
	return float64(n) / seconds(nanos)
}

func seconds(nanos int64) float64 { return float64(nanos) / 1e9 }
