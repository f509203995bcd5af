package delivery

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

// Deps are what the sender's subscriptions share. Deliveries, Tiers,
// Broker, Sink, Client and Decoder are required.
type Deps struct {
	Deliveries Feed         // one group member over every delivery topic
	Tiers      Feed         // one group member over the shared retry tiers
	Broker     Broker       // topic admin and backlog reads
	Sink       Sink         // acks=all writer for retry tiers, dead letters, operational events
	Client     *http.Client // NewHTTPClient: one transport, connections pooled per receiver host for every worker
	Decoder    Decoder
	Disabler   Disabler        // nil: only the operational event and the log
	Lookup     Lookup          // every subscription, enabled or not; nil: only the running ones. Retries of a subscription it does not know (deleted) are dropped
	Attempts   AttemptRecorder // nil: attempts are not logged
	Metrics    *Metrics        // nil: a private registry
	Log        *zap.Logger     // nil: no logging
	Clock      Clock           // nil: RealClock
	UserAgent  string          // "engagehub/<version>"

	// Tracer makes a span per attempt. nil: no spans, and requests carry
	// the record's traceparent as it is.
	Tracer *telemetry.Tracer
}

func (d Deps) withDefaults() Deps {
	if d.Metrics == nil {
		d.Metrics = NewMetrics(nil)
	}
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	if d.Clock == nil {
		d.Clock = RealClock
	}
	if d.UserAgent == "" {
		d.UserAgent = "engagehub/dev"
	}
	return d
}

// Worker is one subscription's delivery policy: ordering, circuit, rate
// limit, concurrency, retries and dead letters. It owns no Kafka consumer
// and no goroutine while idle: the Supervisor hands it the records of its
// delivery topic, and a goroutine runs only while a record (ordering none)
// or a contact's queue (ordering key) is being worked on.
type Worker struct {
	cfg     Config
	ep      Endpoint
	sup     *Supervisor
	deps    Deps
	log     *zap.Logger
	clock   Clock
	client  *http.Client
	sender  atomic.Pointer[Sender]
	sched   Schedule
	tiers   []tier
	limiter *rate.Limiter
	breaker *breaker
	disp    *dispatcher

	ctx      context.Context // the hard stop, and this worker's own end
	cancel   context.CancelFunc
	buffered atomic.Int64  // records held: fetched, not settled
	slots    chan struct{} // a token per request in flight
	inFlight prometheus.Gauge
	latency  prometheus.Observer
	pending  prometheus.Gauge // records of this subscription in retry tiers
	disabled atomic.Bool
	dlqReady atomic.Bool
}

// newWorker returns the worker for ep, owned by sup.
func newWorker(sup *Supervisor, ep Endpoint) (*Worker, error) {
	cfg, deps := sup.cfg, sup.deps
	client, err := endpointClient(deps.Client, ep)
	if err != nil {
		return nil, fmt.Errorf("delivery: subscription %s: %w", ep.ID, err)
	}
	sender, err := NewSender(client, ep, deps.UserAgent, deps.Clock)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(sup.hard)
	w := &Worker{cfg: cfg, ep: ep, sup: sup, deps: deps, clock: deps.Clock, client: client,
		log:   deps.Log.With(zap.String("subscription", ep.ID)),
		sched: Schedule{Delays: ep.RetrySchedule, Jitter: cfg.RetryJitter, rand: sup.rand},
		tiers: sup.tiers, ctx: ctx, cancel: cancel, slots: make(chan struct{}, min(ep.MaxInFlight, cfg.MaxConnsPerHost))}
	w.sender.Store(sender)
	w.limiter = newLimiter(ep.RateLimit)
	m := deps.Metrics
	w.inFlight = m.inFlight.WithLabelValues(ep.ID)
	w.latency = m.duration.WithLabelValues(ep.ID)
	w.pending = m.retry.WithLabelValues(ep.ID)
	m.panics.WithLabelValues(ep.ID) // exported at 0, so rate() and alerts see it
	circuit := m.circuit.WithLabelValues(ep.ID)
	circuit.Set(circuitClosed)
	w.breaker = newBreaker(cfg.Circuit, deps.Clock, func(s int) {
		circuit.Set(float64(s))
		if s == circuitClosed {
			sup.deps.Deliveries.Wake()
		}
	})
	w.disp = newDispatcher(w)
	return w, nil
}

// update takes a changed endpoint of the same shape (sameShape): new
// secrets, URL, headers or timeout apply to the next request.
func (w *Worker) update(ep Endpoint) error {
	s, err := NewSender(w.client, ep, w.deps.UserAgent, w.clock)
	if err != nil {
		return err
	}
	w.sender.Store(s)
	return nil
}

// current is the endpoint as last updated (URL, headers, secrets,
// transformation); w.ep keeps what never changes for a worker (id, shape).
func (w *Worker) current() Endpoint { return w.sender.Load().ep }

func (w *Worker) dlqTopic() string { return w.cfg.Topics.DLQPrefix + w.ep.ID }

// ready reports whether the worker can take more records now.
func (w *Worker) ready() bool {
	return !w.disabled.Load() && w.buffered.Load() < int64(w.cfg.MaxBuffered) && !w.breaker.isOpen()
}

// take starts work on a fetched record.
func (w *Worker) take(m kafka.Message) {
	w.buffered.Add(1)
	w.sup.buffered.Add(1)
	j := newJob(m, len(w.sched.Delays))
	if j.returning {
		w.pending.Dec()
	}
	w.disp.submit(j)
}

// finish settles j (or abandons it unsettled) and frees its buffer slot.
func (w *Worker) finish(j *job, v verdict) {
	if v.settled {
		w.sup.settle(j)
	}
	own := w.buffered.Add(-1)
	all := w.sup.buffered.Add(-1)
	if own == int64(w.cfg.MaxBuffered)-1 || all == int64(w.cfg.MaxBufferedTotal)-1 {
		w.deps.Deliveries.Wake()
	}
}

// stop ends the worker at once: in-flight work is abandoned unsettled (its
// records are delivered again when the subscription comes back).
func (w *Worker) stop() {
	w.cancel()
	if w.client != w.deps.Client { // a transport of its own (a client certificate, pipelining)
		w.client.CloseIdleConnections()
	}
}
