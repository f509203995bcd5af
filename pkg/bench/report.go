package bench

import (
	"encoding/json"
	"io"
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
	// Subscriptions is how the run's subscriptions were made; Startup the
	// timed restart (--restart); AddDuring the subscriptions made during
	// the load (--add-during); Senders the extra sender instances and the
	// one killed (--senders, --kill-sender).
	Subscriptions SubscriptionSetup `json:"subscriptionSetup"`
	Startup       *Startup          `json:"startup,omitempty"`
	AddDuring     *AddDuring        `json:"addDuring,omitempty"`
	Senders       *Senders          `json:"senders,omitempty"`
	Targets       []Target          `json:"targets"`
	Profile       string            `json:"cpuProfile,omitempty"`
	Warnings      []string          `json:"warnings,omitempty"`
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
	Door            string  `json:"door"`
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
	Idle            bool    `json:"idle,omitempty"`
	Restart         bool    `json:"restart,omitempty"`
	AddDuring       int     `json:"addDuring,omitempty"`
	Senders         int     `json:"senders,omitempty"`
	KillSender      bool    `json:"killSender,omitempty"`
	Filter          string  `json:"filter,omitempty"`
	// TransformBytes is the size of the transformation's script; 0: none.
	TransformBytes int `json:"transformBytes,omitempty"`
}

// IngestResult is what POST /v1/events did.
type IngestResult struct {
	Sent   int64 `json:"sent"`
	Acked  int64 `json:"acked"`
	Failed int64 `json:"failed"`
	// Unavailable is how many of the failed were in requests answered 503.
	Unavailable int64   `json:"unavailable"`
	Stalled     int64   `json:"stalledBatches,omitempty"`
	AcksPerSec  float64 `json:"acksPerSec"`
	Latency     Latency `json:"requestLatency"`
	LastError   string  `json:"lastError,omitempty"`
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
	DuringLoad    Fraction `json:"duringLoad"`
	// WindowSeconds is the measured window: load (or rest) and drain.
	WindowSeconds float64 `json:"windowSeconds"`
}

// Fraction is the share of the deliveries offered while the load ran
// (events sent × healthy endpoints) that arrived before it stopped.
type Fraction struct {
	Offered   int64   `json:"offered"`
	Delivered int64   `json:"delivered"`
	Fraction  float64 `json:"fraction"`
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
	CPUSeconds float64 `json:"cpuSeconds"`
	// CPUPerSecond is CPUSeconds over the window's wall seconds: the CPUs
	// used on average (at rest, the idle cost).
	CPUPerSecond    float64 `json:"cpuPerSecond,omitempty"`
	PeakRSSMiB      float64 `json:"peakRssMiB,omitempty"` // VmHWM at the end
	RSSMiB          float64 `json:"rssMiB,omitempty"`     // VmRSS at the end
	CPUPerDeliverUs float64 `json:"cpuMicrosPerDelivery,omitempty"`
	// Process is the sampled goroutines, descriptors and connections.
	Process *ProcessGauges `json:"process,omitempty"`
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

// Reports is r alone: `engagehub bench` prints one report or two compared.
func (r *Report) Reports() []*Report { return []*Report{r} }

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
