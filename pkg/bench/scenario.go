package bench

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options are one bench run's settings; the flags of `engagehub bench`.
type Options struct {
	// Scenario names the preset the other fields started from ("" if none).
	Scenario string
	// Brokers targets an existing Kafka cluster; empty starts the embedded
	// broker in-process.
	Brokers []string
	// Rate is events/s, paced open loop; 0 means max rate, closed loop.
	Rate float64
	// Batch is events per ingest request; 1 posts single envelopes.
	Batch int
	// Door is where the load goes in: DoorAPI (POST /v1/events, bearer
	// token) or DoorEngage (POST /ingest/engage, one Svix-signed envelope
	// per request, as Engage sends them). Default DoorAPI.
	Door string
	// Concurrency is the number of ingest clients (max rate) or the bound
	// on ingest requests in flight (fixed rate).
	Concurrency int
	// Subscriptions each match every event.
	Subscriptions int
	// Versus, when > 0, runs the load a second time in the same invocation
	// with this many subscriptions and reports its deliveries/s as a share
	// of the first run's (max rate only; see RunVersus).
	Versus int
	// Failing of the subscriptions (the last ones) have dead endpoints (503).
	Failing int
	// Filter, when set, is every subscription's filter (a CEL expression).
	Filter string
	// Transform, when set, is every subscription's transformation (the
	// script's source).
	Transform string
	// AddDuring more subscriptions are created halfway through the load;
	// the report gives the others' latency around it.
	AddDuring int
	// Senders is the number of sender instances: the main process (every
	// role) and Senders-1 more running only the sender role. Default 1.
	Senders int
	// KillSender kills one of the extra senders with SIGKILL halfway
	// through the load and starts it again; the report counts duplicates.
	KillSender bool
	// Idle offers no load: the measured window is Duration of nothing,
	// for what subscriptions cost at rest.
	Idle bool
	// Restart stops engagehub once the subscriptions are made and warmed
	// up, starts it again and times its start-up.
	Restart bool
	// Slow of the subscriptions (the first ones) answer after
	// ReceiverLatency; -1 means all of them.
	Slow            int
	ReceiverLatency time.Duration
	// Contacts is the number of distinct contact ids (keys) events spread over.
	Contacts int
	// Payload is the approximate size of one envelope in bytes.
	Payload int
	// Settle waits this long after the warm-up (and the restart's probes)
	// before the measured window, so that the connections their deliveries
	// opened have closed (sender.idle_conn_timeout, 15s): the window then
	// measures rest, not the tail of the probes. Default 0; subs-idle 20s.
	Settle time.Duration
	// Duration is how long load is offered.
	Duration time.Duration
	// Drain bounds the wait for deliveries after load stops.
	Drain time.Duration
	// DrainIdle ends the drain when no delivery arrived for this long;
	// what is missing then counts as lost.
	DrainIdle time.Duration
	// MaxBacklog holds max-rate clients back while more deliveries than
	// this are owed; 0 lets the backlog grow without bound.
	MaxBacklog int64
	// SharedHost serves every subscription's endpoint on one host:port
	// (default: one port each, like distinct subscribers).
	SharedHost bool
	// Verify makes the receiver check every signature, in the engagehub
	// run and in the bare-HTTP baseline alike.
	Verify bool
	// BaselineDuration is how long each baseline runs; 0 skips them.
	BaselineDuration time.Duration
	// BaselineConcurrency is the bare HTTP client's concurrency: the
	// sender's default connections per receiver host.
	BaselineConcurrency int
	// CPUProfile, when set, receives a CPU profile of engagehub taken
	// during the load (from its /debug/pprof/profile).
	CPUProfile string
	// Config holds engagehub configuration settings (key=value, keys as in
	// the README) for every engagehub process of the run, over the bench's own.
	Config []string
	// Binary is the engagehub executable to run as the child.
	Binary string
	// Progress receives a line per second while the run goes; nil: none.
	Progress io.Writer
}

// DefaultScenario is what `engagehub bench` (and `make bench`) runs.
const DefaultScenario = "max-1"

// DefaultOptions are the settings every scenario starts from.
func DefaultOptions() Options {
	return Options{
		Scenario: DefaultScenario, Batch: 50, Door: DoorAPI, Concurrency: 16, Subscriptions: 1, Slow: -1, Senders: 1,
		Contacts: 1000, Payload: 512, Duration: 20 * time.Second, Drain: 90 * time.Second, DrainIdle: 15 * time.Second, MaxBacklog: 10000,
		Verify: true, BaselineDuration: 5 * time.Second, BaselineConcurrency: 64,
	}
}

// Scenario is a named preset, applied over DefaultOptions.
type Scenario struct {
	Name        string
	Description string
	apply       func(*Options)
}

// Scenarios are the presets the results table in docs/benchmarks.md uses.
func Scenarios() []Scenario {
	return []Scenario{
		{"max-1", "max rate, 1 subscription", func(o *Options) {}},
		{"max-10", "max rate, 10 subscriptions", func(o *Options) { o.Subscriptions = 10 }},
		{"ingest", "max rate, backlog unbounded, 10 s: what ingest acknowledges", func(o *Options) {
			o.MaxBacklog, o.Duration = 0, 10*time.Second
		}},
		{"latency", "2,000 events/s in batches of 10 (--batch 1: one per request), 1 subscription: latency", func(o *Options) {
			o.Rate, o.Batch, o.Concurrency = 2000, 10, 256
		}},
		{"max-100-vs-1", "max rate with 1 subscription, then with 100 in the same invocation: what subscriptions cost at load", func(o *Options) {
			o.Versus = 100
		}},
		{"slow-1-of-10", "300 events/s, 10 subscriptions, one answering after 200 ms", func(o *Options) {
			o.Rate, o.Batch, o.Subscriptions, o.Slow, o.ReceiverLatency = 300, 10, 10, 1, 200*time.Millisecond
		}},
		{"subs-idle", "1,000 subscriptions, no traffic, 60 s, after a timed restart: what subscriptions cost at rest", func(o *Options) {
			o.Subscriptions, o.Idle, o.Restart, o.SharedHost = 1000, true, true, true
			o.Duration, o.BaselineDuration, o.Settle = 60*time.Second, 0, 20*time.Second
		}},
		{"subs-1000", "1,000 subscriptions (a path each on one receiver host), 5 events/s = 5,000 deliveries/s, 60 s", func(o *Options) {
			o.Subscriptions, o.Rate, o.Batch, o.SharedHost = 1000, 5, 1, true
			o.Duration, o.BaselineDuration = 60*time.Second, 0
		}},
	}
}

// ScenarioOptions returns DefaultOptions with preset name applied.
func ScenarioOptions(name string) (Options, error) {
	for _, s := range Scenarios() {
		if s.Name == name {
			o := DefaultOptions()
			o.Scenario = name
			s.apply(&o)
			return o, nil
		}
	}
	names := make([]string, 0, 4)
	for _, s := range Scenarios() {
		names = append(names, s.Name)
	}
	return Options{}, fmt.Errorf("bench: --scenario: unknown %q (one of %s)", name, strings.Join(names, ", "))
}

// ParseRate reads --rate: "max" or a positive number of events/s.
func ParseRate(s string) (float64, error) {
	if strings.EqualFold(s, "max") {
		return 0, nil
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || r <= 0 {
		return 0, fmt.Errorf("bench: --rate: want \"max\" or events/s > 0, got %q", s)
	}
	return r, nil
}

// FormatRate is ParseRate's inverse.
func FormatRate(r float64) string {
	if r == 0 {
		return "max"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// Validate names every bad option by its flag.
func (o Options) Validate() error {
	var errs []error
	bad := func(flag, format string, a ...any) {
		errs = append(errs, fmt.Errorf("bench: --%s: "+format, append([]any{flag}, a...)...))
	}
	positive := []struct {
		flag string
		n    int
	}{{"batch", o.Batch}, {"concurrency", o.Concurrency}, {"subscriptions", o.Subscriptions},
		{"contacts", o.Contacts}, {"payload", o.Payload}, {"baseline-concurrency", o.BaselineConcurrency}}
	for _, p := range positive {
		if p.n <= 0 {
			bad(p.flag, "must be > 0, got %d", p.n)
		}
	}
	if o.AddDuring < 0 || (o.AddDuring > 0 && o.Idle) {
		bad("add-during", "must be ≥ 0, and needs load (not --idle), got %d", o.AddDuring)
	}
	if o.Senders < 1 || (o.KillSender && (o.Senders < 2 || o.Idle)) {
		bad("senders", "must be ≥ 1, and ≥ 2 with load for --kill-sender, got %d", o.Senders)
	}
	if o.Versus < 0 || (o.Versus > 0 && (o.Rate != 0 || o.Idle)) {
		bad("versus", "must be ≥ 0, and compares max-rate runs (no --rate, no --idle), got %d", o.Versus)
	}
	if o.Failing < 0 || o.Failing >= o.Subscriptions {
		bad("failing", "must be in [0, --subscriptions), got %d", o.Failing)
	}
	if o.Slow < -1 || o.Slow > o.Subscriptions {
		bad("slow", "must be -1 (all) or in [0, --subscriptions], got %d", o.Slow)
	}
	if o.Duration <= 0 || o.Drain <= 0 || o.DrainIdle <= 0 {
		bad("duration", "--drain and --drain-idle must be > 0, got %s, %s and %s", o.Duration, o.Drain, o.DrainIdle)
	}
	if o.ReceiverLatency < 0 || o.BaselineDuration < 0 || o.Rate < 0 || o.MaxBacklog < 0 || o.Settle < 0 {
		bad("receiver-latency", "--baseline-duration, --max-backlog and --rate must not be negative")
	}
	if o.Binary == "" {
		errs = append(errs, errors.New("bench: no engagehub binary to run"))
	}
	if slices.Contains(o.Brokers, "") {
		bad("brokers", "has an empty entry")
	}
	switch {
	case o.Door != DoorAPI && o.Door != DoorEngage:
		bad("door", "must be %q or %q, got %q", DoorAPI, DoorEngage, o.Door)
	case o.Door == DoorEngage && o.Batch != 1:
		bad("door", "%q takes one event per request, as Engage sends them: add --batch 1 (got --batch %d)", DoorEngage, o.Batch)
	}
	return errors.Join(errs...)
}

// slowCount resolves Slow's -1 to every subscription.
// The doors Options.Door names.
const (
	DoorAPI    = "api"
	DoorEngage = "engage"
)

func (o Options) slowCount() int {
	if o.Slow < 0 {
		return o.Subscriptions
	}
	return o.Slow
}
