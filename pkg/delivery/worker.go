package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// ErrDisabled is returned by Worker.Run when the worker stopped because it
// disabled its subscription.
var ErrDisabled = errors.New("delivery: subscription disabled")

// Deps are what workers share. Broker, Sink, Client and Decoder are required.
type Deps struct {
	Broker    Broker
	Sink      Sink         // acks=all writer for retry tiers, dead letters, operational events
	Client    *http.Client // webhook.NewHTTPClient with the dial policy; each worker clones its transport into a pool of its own
	Decoder   Decoder
	Disabler  Disabler        // nil: only the operational event and the log
	Attempts  AttemptRecorder // nil: attempts are not logged
	Metrics   *Metrics        // nil: a private registry
	Log       *zap.Logger     // nil: no logging
	Clock     Clock           // nil: RealClock
	UserAgent string          // "engagehub/<version>"
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

// Worker delivers one subscription's events: consumer group
// engagehub-sender-<id> on engagehub.deliver.<id>, plus its retry tiers.
type Worker struct {
	cfg     Config
	ep      Endpoint
	deps    Deps
	log     *zap.Logger
	clock   Clock
	sender  *Sender
	sched   Schedule
	tiers   []time.Duration
	limiter *rate.Limiter
	breaker *breaker
	disp    *dispatcher

	buffer   chan struct{} // a token per record held in memory
	slots    chan struct{} // a token per request in flight
	inFlight prometheus.Gauge
	latency  prometheus.Observer
	jobs     sync.WaitGroup // runners
	fetchers sync.WaitGroup // fetch loops
	commits  sync.WaitGroup // commit loops
	softCtx  context.Context
	stopFn   context.CancelFunc // hard+soft stop
	stopCh   chan struct{}      // closed to end commit loops
	disabled atomic.Bool

	tierMu   sync.Mutex
	tierOn   map[time.Duration]bool
	dlqReady atomic.Bool
	closing  bool // no new streams once the worker stops
}

// NewWorker returns a worker for ep; Run starts it.
func NewWorker(cfg Config, ep Endpoint, deps Deps) (*Worker, error) {
	deps = deps.withDefaults()
	ep = ep.withDefaults(cfg)
	sender, err := NewSender(ownPool(deps.Client, min(ep.MaxInFlight, cfg.MaxConnsPerHost)), ep, deps.UserAgent, deps.Clock)
	if err != nil {
		return nil, err
	}
	w := &Worker{cfg: cfg, ep: ep, deps: deps, clock: deps.Clock, sender: sender,
		log:    deps.Log.With(zap.String("subscription", ep.ID)),
		sched:  Schedule{Delays: cfg.RetrySchedule, Jitter: cfg.RetryJitter},
		tiers:  tierDelays(cfg),
		buffer: make(chan struct{}, cfg.MaxBuffered), slots: make(chan struct{}, ep.MaxInFlight),
		tierOn: map[time.Duration]bool{}, stopCh: make(chan struct{}),
	}
	w.limiter = newLimiter(ep.RateLimit)
	m := deps.Metrics
	w.inFlight = m.inFlight.WithLabelValues(ep.ID)
	w.latency = m.duration.WithLabelValues(ep.ID)
	circuit := m.circuit.WithLabelValues(ep.ID)
	circuit.Set(circuitClosed)
	w.breaker = newBreaker(cfg.Circuit, deps.Clock, func(s int) { circuit.Set(float64(s)) })
	return w, nil
}

// ownPool gives a worker its own connection pool, cloned from the shared
// client's transport (dial policy, timeouts) and sized to the worker's
// concurrency: a slow endpoint then holds only its own connections, never
// those of another subscription on the same host.
func ownPool(shared *http.Client, conns int) *http.Client {
	t, ok := shared.Transport.(*http.Transport)
	if !ok {
		return shared
	}
	t = t.Clone()
	t.MaxConnsPerHost, t.MaxIdleConnsPerHost = conns, conns
	c := *shared
	c.Transport = t
	return &c
}

func (w *Worker) deliverTopic() string { return w.cfg.Topics.DeliverPrefix + w.ep.ID }
func (w *Worker) dlqTopic() string     { return w.cfg.Topics.DLQPrefix + w.ep.ID }
func (w *Worker) group() string        { return w.cfg.Topics.GroupPrefix + w.ep.ID }

// Run delivers until ctx is done: then it stops fetching, lets in-flight
// deliveries finish for up to ShutdownTimeout, abandons the rest unsettled,
// commits what settled, and returns nil. It returns ErrDisabled after
// disabling the subscription, and an error if the delivery topic cannot be
// opened.
func (w *Worker) Run(ctx context.Context) error {
	hard, hardCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hardCancel()
	soft, softCancel := context.WithCancel(ctx)
	defer softCancel()
	w.softCtx = soft
	w.stopFn = func() { softCancel(); hardCancel() }
	w.disp = newDispatcher(hard, w)
	if !w.restoreParked(soft) {
		return w.exit()
	}
	src, err := w.deps.Broker.Open(soft, w.deliverTopic(), w.group())
	if err != nil {
		return fmt.Errorf("delivery: open %s: %w", w.deliverTopic(), err)
	}
	w.tierMu.Lock()
	w.startStream(src, w.deliverTopic(), 0)
	w.tierMu.Unlock()
	w.resumeTiers(soft)
	<-soft.Done()
	w.tierMu.Lock()
	w.closing = true
	w.tierMu.Unlock()
	w.fetchers.Wait()
	w.drain(hardCancel)
	close(w.stopCh)
	w.commits.Wait()
	w.sender.client.CloseIdleConnections()
	return w.exit()
}

func (w *Worker) exit() error {
	if w.disabled.Load() {
		return ErrDisabled
	}
	return nil
}

// drain waits for in-flight work, for at most ShutdownTimeout.
func (w *Worker) drain(hardCancel context.CancelFunc) {
	done := make(chan struct{})
	go func() { w.jobs.Wait(); close(done) }()
	t := time.NewTimer(w.cfg.ShutdownTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		hardCancel()
		<-done
	}
}

// stop ends the worker at once (used when it disables its subscription).
func (w *Worker) stop() {
	if w.stopFn != nil {
		w.stopFn()
	}
}

func (w *Worker) startStream(src Source, topic string, tier time.Duration) {
	s := newStream(w, src, topic, tier)
	w.commits.Add(1)
	go func() { defer w.commits.Done(); s.commits(w.stopCh) }()
	w.fetchers.Add(1)
	go func() { defer w.fetchers.Done(); s.fetch(w.softCtx) }()
}

// resumeTiers starts the readers of tiers holding uncommitted records.
func (w *Worker) resumeTiers(ctx context.Context) {
	for _, t := range w.tiers {
		n, err := w.deps.Broker.Pending(ctx, w.tierTopic(t), w.tierGroup(t))
		if err != nil {
			w.log.Warn("retry tier backlog unknown", zap.String("topic", w.tierTopic(t)), zap.Error(err))
		}
		if n > 0 || err != nil {
			w.ensureTier(ctx, t)
		}
	}
}

func (w *Worker) acquireBuffer(ctx context.Context) bool {
	select {
	case w.buffer <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (w *Worker) releaseBuffer() { <-w.buffer }
