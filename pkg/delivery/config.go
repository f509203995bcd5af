package delivery

import (
	"errors"
	"fmt"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// Config is the `sender` section of engagehub's configuration.
type Config struct {
	// MaxInFlight is the default number of concurrent requests per subscription. Default 64.
	MaxInFlight int `mapstructure:"max_in_flight"`
	// MaxInFlightTotal bounds the requests in flight over all subscriptions
	// together (and so the connections in use and their goroutines). Default 512.
	MaxInFlightTotal int `mapstructure:"max_in_flight_total"`
	// MaxConnsTotal, when > 0, bounds the webhook connections open over all
	// subscriptions (file descriptors, and their goroutines): at most
	// max_in_flight_total in use, the rest idle (the least recently used
	// idle one is closed first). Must exceed max_in_flight_total;
	// subscriptions with a client certificate keep their own connections
	// on top. Default 0: no bound beyond max_idle_conns and
	// idle_conn_timeout.
	MaxConnsTotal int `mapstructure:"max_conns_total"`
	// MaxIdleConns is how many idle keep-alive connections the sender keeps
	// to one receiver host (host:port), for all its subscriptions; twice
	// max_in_flight_total are kept idle in all. Default 512, as many as may
	// be in flight (max_in_flight_total): fewer, and the connections of a
	// burst to one host beyond it are closed and dialed again (dialing was
	// 12 % of the sender's CPU at 64 with a thousand subscriptions on one
	// host).
	MaxIdleConns int `mapstructure:"max_idle_conns"`
	// MaxBuffered caps the records one subscription holds in memory (fetched,
	// not yet settled); its partitions are not fetched while it is reached. Default 1000.
	MaxBuffered int `mapstructure:"max_buffered"`
	// MaxBufferedTotal caps the records all subscriptions together hold in
	// memory; no partition is fetched while it is reached. Default 10000.
	MaxBufferedTotal int `mapstructure:"max_buffered_total"`
	// Fetch tunes the sender's consumption (one group member over every
	// delivery topic).
	Fetch FetchConfig `mapstructure:"fetch"`
	// RetrySchedule is the wait before each attempt; its length is the number
	// of attempts. Default Svix's: 0s, 5s, 5m, 30m, 2h, 5h, 10h, 10h.
	RetrySchedule []time.Duration `mapstructure:"retry_schedule"`
	// RetryJitter spreads each retry delay by ± this fraction. Default 0.1.
	RetryJitter float64 `mapstructure:"retry_jitter"`
	// MemoryRetryMax is the longest retry delay waited in memory; longer
	// delays go to the retry-tier topics. Default 10s.
	MemoryRetryMax time.Duration `mapstructure:"memory_retry_max"`
	// DisableAfter disables a subscription failing continuously this long. Default 120h.
	DisableAfter time.Duration `mapstructure:"disable_after"`
	// AllowNetworks lists internal networks (CIDR or address) webhooks may
	// still reach. Default none.
	AllowNetworks []string `mapstructure:"allow_networks"`
	// Timeout is the default per-request timeout. Default 15s.
	Timeout time.Duration `mapstructure:"timeout"`
	// MaxConnsPerHost bounds one subscription's requests in flight, and so
	// its connections, to its receiver (its concurrency is min(maxInFlight,
	// this)). Connections are pooled per host across subscriptions with no
	// per-host limit, so one subscription's slow requests never hold
	// another's up. Default 64.
	MaxConnsPerHost int `mapstructure:"max_conns_per_host"`
	// HTTPClient is the webhook client: "fasthttp" (valyala/fasthttp under
	// net/http's request and response types: about half the CPU per
	// request, HTTP/1.1 only) or "net/http" (Go's own, HTTP/2 with receivers
	// that offer it; also whenever max_conns_total is set: only net/http's
	// pool bounds idle connections across receivers). Default "fasthttp".
	HTTPClient string `mapstructure:"http_client"`
	// Pipelining, when > 0, pipelines requests (HTTP/1.1) to one receiver
	// host over at most this many connections: requests that would wait
	// for a connection go out together in one write, and their answers
	// come back in one read, a fraction of the system calls per request on
	// a busy sender. Answers come in request order, so a slow answer holds
	// up the requests queued behind it on its connection, and subscriptions
	// to one host share its connections: for receivers that answer quickly
	// (and speak HTTP/1.1 pipelining, as Go's, Node's and nginx's servers
	// do). Needs http_client "fasthttp" and no max_conns_total. Default 0:
	// one request per connection at a time.
	Pipelining int `mapstructure:"pipelining"`
	// IdleConnTimeout closes a keep-alive connection unused this long, so a
	// quiet receiver is held no connection (nor file descriptor); one
	// delivered to more often than this keeps it. Default 15s.
	IdleConnTimeout time.Duration `mapstructure:"idle_conn_timeout"`
	// ShutdownTimeout is how long in-flight deliveries may finish on stop. Default 15s.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	// CommitInterval spaces the sender's offset commits: positions settled
	// meanwhile go out together in the next one (one request for every
	// subscription's partitions). Each commit writes a record per partition
	// to __consumer_offsets, so committing on every settle costs the broker
	// in proportion to deliveries × partitions; a restart or a partition
	// moving redelivers at most this much more. 0 commits as soon as
	// anything settles. Default 500ms.
	CommitInterval time.Duration `mapstructure:"commit_interval"`
	// Circuit configures the per-subscription circuit breaker.
	Circuit CircuitConfig `mapstructure:"circuit"`
	// Topics names the sender's topics.
	Topics TopicsConfig `mapstructure:"topics"`
}

// The webhook clients sender.http_client names.
const (
	HTTPClientFast = "fasthttp"
	HTTPClientStd  = "net/http"
)

// CircuitConfig is the `sender.circuit` section.
type CircuitConfig struct {
	// FailureThreshold consecutive failures open the circuit. Default 20.
	FailureThreshold int `mapstructure:"failure_threshold"`
	// ProbeInterval is the first wait between probes while open; it doubles
	// up to ProbeMax. Default 5s.
	ProbeInterval time.Duration `mapstructure:"probe_interval"`
	// ProbeMax caps the wait between probes, so a recovered endpoint gets
	// its first delivery at most this long after it recovered. Default 30s.
	ProbeMax time.Duration `mapstructure:"probe_max"`
}

// FetchConfig is the `sender.fetch` section. Fetch memory is bounded by
// Requests × MaxBytes per broker, whatever the number of subscriptions.
type FetchConfig struct {
	// MaxWait bounds how long a fetch of quiet partitions waits for new
	// records. It costs no latency (a record arriving ends the wait, and a
	// partition that becomes ready gets a request of its own); it sets the
	// idle cost (one round per MaxWait over every partition) and bounds a
	// soft stop's wait. Default 2s.
	MaxWait time.Duration `mapstructure:"max_wait"`
	// MaxBytes caps one fetch response. Default 4 MiB.
	MaxBytes int `mapstructure:"max_bytes"`
	// PartitionMaxBytes caps one partition's share of a response. Default 512 KiB.
	PartitionMaxBytes int `mapstructure:"partition_max_bytes"`
	// Requests is how many fetch requests may be in flight per broker. Default 4.
	Requests int `mapstructure:"requests"`
	// SessionTimeout of the sender's group membership. Default 10s.
	SessionTimeout time.Duration `mapstructure:"session_timeout"`
}

// TopicsConfig is the `sender.topics` section.
type TopicsConfig struct {
	// DeliverPrefix + subscription id is a delivery topic. Not a key of its
	// own: cmd sets it from subscriptions.delivery_prefix, so fan-out and
	// senders always agree. Default "engagehub.deliver.".
	DeliverPrefix string `mapstructure:"-"`
	// DeliverPartitions is the partition count of delivery topics the
	// sender creates; set by cmd from subscriptions.delivery_partitions.
	// 0: kafka.partitions.
	DeliverPartitions int `mapstructure:"-"`
	// RetryPrefix + delay (e.g. 5m) is a retry-tier topic, shared by every
	// subscription. Default "engagehub.retry.".
	RetryPrefix string `mapstructure:"retry_prefix"`
	// DLQPrefix + id is a dead-letter topic. Default "engagehub.dlq.".
	DLQPrefix string `mapstructure:"dlq_prefix"`
	// Attempts is the attempt-log topic. Default "engagehub.attempts".
	Attempts string `mapstructure:"attempts"`
	// Operational receives operational events. Default "engagehub.operational".
	Operational string `mapstructure:"operational"`
	// Group is the sender role's consumer group over every delivery topic;
	// Group + "-retry" moves due retries back. Default "engagehub-sender".
	Group string `mapstructure:"group"`
}

// DefaultConfig returns the section's defaults.
func DefaultConfig() Config {
	return Config{
		MaxInFlight: 64, MaxInFlightTotal: 512, MaxConnsTotal: 0, MaxIdleConns: 512, MaxBuffered: 1000, MaxBufferedTotal: 10000,
		Fetch: FetchConfig{MaxWait: 2 * time.Second, MaxBytes: 4 << 20, PartitionMaxBytes: 512 << 10,
			Requests: 4, SessionTimeout: 10 * time.Second},
		RetrySchedule: []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
			2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour},
		RetryJitter: 0.1, MemoryRetryMax: 10 * time.Second, DisableAfter: 120 * time.Hour,
		Timeout: 15 * time.Second, MaxConnsPerHost: 64, HTTPClient: HTTPClientFast, ShutdownTimeout: 15 * time.Second, IdleConnTimeout: 15 * time.Second,
		CommitInterval: 500 * time.Millisecond,
		Circuit:        CircuitConfig{FailureThreshold: 20, ProbeInterval: 5 * time.Second, ProbeMax: 30 * time.Second},
		Topics: TopicsConfig{
			DeliverPrefix: "engagehub.deliver.", RetryPrefix: "engagehub.retry.", DLQPrefix: "engagehub.dlq.",
			Attempts: "engagehub.attempts", Operational: "engagehub.operational", Group: "engagehub-sender",
		},
	}
}

// Validate returns every problem with the section, each naming its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("sender."+key+": "+format, a...))
	}
	positive := map[string]time.Duration{"timeout": c.Timeout, "memory_retry_max": c.MemoryRetryMax, "idle_conn_timeout": c.IdleConnTimeout,
		"disable_after": c.DisableAfter, "shutdown_timeout": c.ShutdownTimeout,
		"circuit.probe_interval": c.Circuit.ProbeInterval, "circuit.probe_max": c.Circuit.ProbeMax,
		"fetch.max_wait": c.Fetch.MaxWait, "fetch.session_timeout": c.Fetch.SessionTimeout}
	for key, d := range positive {
		if d <= 0 {
			bad(key, "must be > 0, got %s", d)
		}
	}
	counts := map[string]int{"max_in_flight": c.MaxInFlight, "max_buffered": c.MaxBuffered,
		"max_conns_per_host": c.MaxConnsPerHost, "circuit.failure_threshold": c.Circuit.FailureThreshold,
		"max_buffered_total": c.MaxBufferedTotal, "max_in_flight_total": c.MaxInFlightTotal, "fetch.max_bytes": c.Fetch.MaxBytes,
		"max_idle_conns":            c.MaxIdleConns,
		"fetch.partition_max_bytes": c.Fetch.PartitionMaxBytes, "fetch.requests": c.Fetch.Requests}
	if c.CommitInterval < 0 || c.CommitInterval > time.Minute {
		bad("commit_interval", "must be between 0 and 1m, got %s", c.CommitInterval)
	}
	for key, n := range counts {
		if n <= 0 {
			bad(key, "must be > 0, got %d", n)
		}
	}
	if c.MaxConnsTotal > 0 && c.MaxConnsTotal <= c.MaxInFlightTotal {
		bad("max_conns_total", "must exceed max_in_flight_total (%d), got %d", c.MaxInFlightTotal, c.MaxConnsTotal)
	}
	if c.HTTPClient != HTTPClientFast && c.HTTPClient != HTTPClientStd {
		bad("http_client", "must be %q or %q, got %q", HTTPClientFast, HTTPClientStd, c.HTTPClient)
	}
	switch {
	case c.Pipelining < 0:
		bad("pipelining", "must be ≥ 0 (0: off), got %d", c.Pipelining)
	case c.Pipelining > 0 && (c.HTTPClient != HTTPClientFast || c.MaxConnsTotal > 0):
		bad("pipelining", "needs http_client %q and no max_conns_total (fasthttp pipelines; net/http does not)", HTTPClientFast)
	}
	if len(c.RetrySchedule) == 0 {
		bad("retry_schedule", "must list at least one delay")
	}
	for i, d := range c.RetrySchedule {
		if d < 0 {
			bad(fmt.Sprintf("retry_schedule[%d]", i), "must be ≥ 0, got %s", d)
		}
	}
	if c.RetryJitter < 0 || c.RetryJitter >= 1 {
		bad("retry_jitter", "must be in [0, 1), got %g", c.RetryJitter)
	}
	if _, err := webhook.ParseNetworks(c.AllowNetworks); err != nil {
		bad("allow_networks", "%v", err)
	}
	topics := map[string]string{"retry_prefix": c.Topics.RetryPrefix,
		"dlq_prefix": c.Topics.DLQPrefix, "attempts": c.Topics.Attempts, "operational": c.Topics.Operational,
		"group": c.Topics.Group}
	for key, v := range topics {
		if v == "" {
			bad("topics."+key, "must not be empty")
		}
	}
	return errors.Join(errs...)
}

// TierGroup is the consumer group that moves due retries back.
func (c Config) TierGroup() string { return c.Topics.Group + "-retry" }

// DialPolicy returns the SSRF policy built from AllowNetworks (valid after Validate).
func (c Config) DialPolicy() webhook.DialPolicy {
	nets, _ := webhook.ParseNetworks(c.AllowNetworks)
	return webhook.DialPolicy{Allow: nets}
}
