package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is one run's result; its JSON form is `engagehub bench --json`.
type Report struct {
	Scenario  string        `json:"scenario"`
	Date      time.Time     `json:"date"`
	Machine   Machine       `json:"machine"`
	Broker    string        `json:"broker"` // "embedded" or the bootstrap list
	Params    Params        `json:"params"`
	Ingest    IngestResult  `json:"ingest"`
	Delivery  DeliveryStats `json:"delivery"`
	Latency   Latency       `json:"latency"`
	Slow      *Latency      `json:"slowLatency,omitempty"` // slow endpoints, when some are
	Engagehub Resources     `json:"engagehub"`
	Bench     Resources     `json:"benchProcess"` // load, receiver and (embedded) broker
	Baselines Baselines     `json:"baselines"`
	Ratios    Ratios        `json:"ratios"`
	Targets   []Target      `json:"targets"`
	Profile   string        `json:"cpuProfile,omitempty"`
	Warnings  []string      `json:"warnings,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go"`
	OS        string `json:"os"`
	// LoadAvg is /proc/loadavg's 1, 5 and 15 minute figures at the end of
	// the run: above the CPU count, other processes competed for the CPUs.
	LoadAvg string `json:"loadAvg,omitempty"`
	// OtherCPUs is how many CPUs' worth processes other than the bench and
	// engagehub used (from /proc/stat), during the baselines and the run.
	OtherCPUs OtherCPUs `json:"otherCpus"`
}

// OtherCPUs measures competition for the machine, in CPUs.
type OtherCPUs struct {
	Baselines float64 `json:"baselines"`
	Run       float64 `json:"run"`
}

// Params echo the options that shape the load.
type Params struct {
	Rate            string  `json:"rate"`
	Batch           int     `json:"batch"`
	Concurrency     int     `json:"concurrency"`
	Subscriptions   int     `json:"subscriptions"`
	Failing         int     `json:"failing"`
	Slow            int     `json:"slow"`
	ReceiverLatency string  `json:"receiverLatency"`
	Contacts        int     `json:"contacts"`
	Payload         int     `json:"payloadBytes"`
	Duration        float64 `json:"durationSeconds"`
	Verify          bool    `json:"verify"`
	SharedHost      bool    `json:"sharedHost"`
	MaxBacklog      int64   `json:"maxBacklog"`
}

// IngestResult is what POST /v1/events did.
type IngestResult struct {
	Sent       int64   `json:"sent"`
	Acked      int64   `json:"acked"`
	Failed     int64   `json:"failed"`
	Stalled    int64   `json:"stalledBatches,omitempty"`
	AcksPerSec float64 `json:"acksPerSec"`
	Latency    Latency `json:"requestLatency"`
	LastError  string  `json:"lastError,omitempty"`
}

// DeliveryStats is what reached the healthy endpoints.
type DeliveryStats struct {
	Expected      int64    `json:"expected"` // acked × healthy endpoints
	Delivered     int64    `json:"delivered"`
	Losses        int64    `json:"losses"`
	Pending       int64    `json:"pending"`           // still owed when --drain passed while deliveries flowed
	LostIDs       []string `json:"lostIds,omitempty"` // the first few
	Duplicates    int64    `json:"duplicates"`
	Rejected      int64    `json:"rejected"` // bad signature or body
	Unacked       int64    `json:"deliveredUnacked"`
	FailingCalls  int64    `json:"failingEndpointCalls"`
	PerSec        float64  `json:"deliveriesPerSec"`
	Seconds       float64  `json:"seconds"` // load start → last arrival
	DrainSeconds  float64  `json:"drainSeconds"`
	DrainComplete bool     `json:"drainComplete"`
}

// Latency summarizes a Histogram in milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50Ms"`
	P90   float64 `json:"p90Ms"`
	P99   float64 `json:"p99Ms"`
	Max   float64 `json:"maxMs"`
}

// Resources are a process's CPU and memory over the measured window.
type Resources struct {
	CPUSeconds      float64 `json:"cpuSeconds"`
	PeakRSSMiB      float64 `json:"peakRssMiB,omitempty"`
	CPUPerDeliverUs float64 `json:"cpuMicrosPerDelivery,omitempty"`
}

// Baselines are the bare figures measured in the same run.
type Baselines struct {
	HTTP  *HTTPBaseline  `json:"http,omitempty"`
	Kafka *KafkaBaseline `json:"kafka,omitempty"`
}

// Ratios put engagehub's figures over their baselines (0: no baseline).
type Ratios struct {
	DeliveriesVsHTTP   float64 `json:"deliveriesVsBareHttp"`
	AcksVsKafkaProduce float64 `json:"acksVsBareKafkaProduce"`
}

// Target is one non-functional target of DESIGN.md §5 and whether this run met it.
type Target struct {
	Name   string `json:"name"`
	Actual string `json:"actual"`
	Met    bool   `json:"met"`
}

// Summarize turns a Histogram into a Latency.
func Summarize(h *Histogram) Latency {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Latency{Count: h.Count(), P50: ms(h.Quantile(0.50)), P90: ms(h.Quantile(0.90)),
		P99: ms(h.Quantile(0.99)), Max: ms(h.Max())}
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

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
	p("\tengagehub\tbare baseline\tratio")
	p("ingest acks/s\t%s\t%s kafka produce/s\t%s", num(r.Ingest.AcksPerSec), baseKafka(r.Baselines.Kafka), ratio(r.Ratios.AcksVsKafkaProduce))
	p("deliveries/s\t%s\t%s http req/s (c=%d)\t%s", num(r.Delivery.PerSec), baseHTTP(r.Baselines.HTTP), httpConc(r.Baselines.HTTP), ratio(r.Ratios.DeliveriesVsHTTP))
	p("\t\t%s kafka consume/s\t", baseConsume(r.Baselines.Kafka))
	p("")
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
	p("engagehub\t%.1f CPU s (%.0f µs per delivery), peak RSS %.0f MiB", r.Engagehub.CPUSeconds, r.Engagehub.CPUPerDeliverUs, r.Engagehub.PeakRSSMiB)
	p("bench process\t%.1f CPU s (load, receiver, embedded broker)", r.Bench.CPUSeconds)
	for _, t := range r.Targets {
		p("target\t%s: %s, %s", t.Name, t.Actual, metWord(t.Met))
	}
	if r.Profile != "" {
		p("cpu profile\t%s (go tool pprof -top %s)", r.Profile, r.Profile)
	}
	for _, warn := range r.Warnings {
		p("warning\t%s", warn)
	}
	return tw.Flush()
}

// String describes the load in one line.
func (p Params) String() string {
	subs := "subscriptions"
	if p.Subscriptions == 1 {
		subs = "subscription"
	}
	s := fmt.Sprintf("rate %s, batch %d, concurrency %d, %d %s", p.Rate, p.Batch, p.Concurrency, p.Subscriptions, subs)
	if p.Rate == "max" && p.MaxBacklog > 0 {
		s += fmt.Sprintf(" (ingest held back while > %d deliveries are owed)", p.MaxBacklog)
	}
	if p.Failing > 0 {
		s += fmt.Sprintf(" (%d failing)", p.Failing)
	}
	if p.ReceiverLatency != "0s" && p.ReceiverLatency != "" && p.Slow > 0 {
		s += fmt.Sprintf(" (%d answering after %s)", p.Slow, p.ReceiverLatency)
	}
	if p.SharedHost {
		s += ", one receiver host:port for all"
	}
	verify := "signatures verified"
	if !p.Verify {
		verify = "signatures not verified"
	}
	return s + fmt.Sprintf(", %d contacts, %d B envelopes, %gs, %s", p.Contacts, p.Payload, p.Duration, verify)
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
