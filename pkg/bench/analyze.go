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
	loadEnd     int64 // Clock nanos; arrivals until then count as during the load
}

// tally walks every event sent against every healthy endpoint: acked and
// arrived is a delivery (its latency recorded), acked and missing a loss.
func (r *runner) tally() tallied {
	t := tallied{fast: &Histogram{}, slow: &Histogram{}, loadEnd: r.m.loadEnd}
	healthy := r.healthy()
	sent := int(r.load.Sent())
	for seq := range sent {
		ack := r.load.Acks.Get(seq)
		for _, ep := range healthy {
			t.account(ep, seq, ack, r.env)
		}
	}
	t.Expected = r.load.Acked() * int64(len(healthy))
	t.DuringLoad.Offered = r.load.Sent() * int64(len(healthy))
	if t.DuringLoad.Offered > 0 {
		t.DuringLoad.Fraction = float64(t.DuringLoad.Delivered) / float64(t.DuringLoad.Offered)
	}
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
		if arr <= t.loadEnd {
			t.DuringLoad.Delivered++
		}
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
	rep.Ingest = IngestResult{Sent: r.load.Sent(), Acked: r.load.Acked(), Failed: r.load.Failed(), Unavailable: r.load.Unavailable(),
		Stalled: r.load.Stalled(), Latency: Summarize(&r.load.Ingest), LastError: r.load.LastError(),
		AcksPerSec: perSec(r.load.Acked(), m.loadEnd-m.start)}
	rep.Delivery = t.DeliveryStats
	rep.Delivery.Seconds = seconds(max(t.lastArrival, m.loadEnd) - m.start)
	rep.Delivery.PerSec = perSec(t.Delivered, max(t.lastArrival, m.loadEnd)-m.start)
	rep.Delivery.DrainSeconds = seconds(m.end - m.loadEnd)
	rep.Delivery.WindowSeconds = seconds(m.end - m.start)
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
	rep.Engagehub = r.childResources(t.Delivered)
	rep.Subscriptions, rep.Startup, rep.AddDuring, rep.Senders = r.setup, r.startup, r.addDuringReport(), r.sendersReport()
	rep.Bench = Resources{CPUSeconds: m.selfCPU.Seconds()}
	rep.Ratios = ratios(rep)
	rep.Targets = targets(rep, r.o)
	rep.Warnings = r.warnings(rep)
	return rep
}

// childResources are engagehub's figures over the measured window.
func (r *runner) childResources(delivered int64) Resources {
	m := r.m
	cpu := (m.childAfter.CPU - m.childBefore.CPU).Seconds()
	res := Resources{CPUSeconds: cpu, PeakRSSMiB: mib(m.childAfter.PeakRSS), RSSMiB: mib(m.childAfter.RSS)}
	if wall := seconds(m.end - m.start); wall > 0 {
		res.CPUPerSecond = cpu / wall
	}
	if delivered > 0 {
		res.CPUPerDeliverUs = cpu * 1e6 / float64(delivered)
	}
	g := m.gauges
	res.Process = &g
	return res
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func (r *runner) brokerName() string {
	if len(r.o.Brokers) == 0 {
		return "embedded"
	}
	return fmt.Sprint(r.o.Brokers)
}

func (r *runner) params() Params {
	o := r.o
	return Params{Rate: FormatRate(o.Rate), Batch: o.Batch, Door: o.Door, Concurrency: o.Concurrency,
		Subscriptions: o.Subscriptions, Failing: o.Failing, Slow: o.slowCount(),
		ReceiverLatency: o.ReceiverLatency.String(), Contacts: o.Contacts, Payload: o.Payload,
		Duration: o.Duration.Seconds(), Verify: o.Verify, SharedHost: o.SharedHost, MaxBacklog: o.MaxBacklog,
		Idle: o.Idle, Restart: o.Restart, AddDuring: o.AddDuring, Senders: o.Senders, KillSender: o.KillSender,
		Filter: o.Filter, TransformBytes: len(o.Transform)}
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
	if r.m.gaugeErr != nil {
		w = append(w, "sampling engagehub: "+r.m.gaugeErr.Error())
	}
	if st := rep.Startup; st != nil && !st.Covered {
		w = append(w, fmt.Sprintf("start-up probes did not land on every one of the %d delivery partitions (partitioner not murmur2 of the contact id?): delivering time covers only some", st.Partitions))
	}
	if a := rep.AddDuring; a != nil && a.Error != "" {
		w = append(w, "--add-during: "+a.Error)
	}
	return append(w, r.warn...)
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
