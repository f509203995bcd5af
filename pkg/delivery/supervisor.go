package delivery

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// lagInterval is how often the supervisor refreshes lag and retry-depth gauges.
const lagInterval = 15 * time.Second

// A worker that failed is restarted after a backoff doubling from
// restartMin up to restartMax with each consecutive failure.
const (
	restartMin = time.Second
	restartMax = 5 * time.Minute
)

// restartBackoff is the wait before restarting a worker that failed
// `failures` times in a row.
func restartBackoff(failures int) time.Duration {
	d := restartMin
	for i := 1; i < failures && d < restartMax; i++ {
		d *= 2
	}
	return min(d, restartMax)
}

// restartState is a failing worker's backoff.
type restartState struct {
	failures int
	at       time.Time // not restarted before
}

// NewHTTPClient is the one delivery client every worker shares: the dial
// policy from AllowNetworks, MaxConnsPerHost, no redirects. Per-request
// timeouts come from each Endpoint.
func NewHTTPClient(cfg Config) *http.Client {
	return webhook.NewHTTPClient(cfg.DialPolicy(), 0, cfg.MaxConnsPerHost)
}

// Supervisor owns one Worker per enabled webhook subscription. cmd calls
// Update whenever the set of subscriptions changes and Run once.
type Supervisor struct {
	cfg   Config
	deps  Deps
	log   *zap.Logger
	clock Clock

	mu       sync.Mutex
	desired  map[string]Endpoint
	running  map[string]*runningWorker
	disabled map[string]Endpoint // stopped after disabling; restarted only when changed
	failed   map[string]restartState
	wake     chan struct{}
}

type runningWorker struct {
	ep      Endpoint
	w       *Worker
	cancel  context.CancelFunc
	done    chan struct{}
	started time.Time
}

// NewSupervisor returns a supervisor; deps are shared by all its workers.
func NewSupervisor(cfg Config, deps Deps) *Supervisor {
	deps = deps.withDefaults()
	return &Supervisor{cfg: cfg, deps: deps, log: deps.Log.Named("sender"), clock: deps.Clock,
		desired: map[string]Endpoint{}, running: map[string]*runningWorker{},
		disabled: map[string]Endpoint{}, failed: map[string]restartState{}, wake: make(chan struct{}, 1)}
}

// Update replaces the set of endpoints: new ones start, removed ones stop,
// changed ones restart (their progress is in Kafka).
func (s *Supervisor) Update(endpoints []Endpoint) {
	s.mu.Lock()
	s.desired = make(map[string]Endpoint, len(endpoints))
	for _, ep := range endpoints {
		s.desired[ep.ID] = ep.withDefaults(s.cfg)
	}
	s.mu.Unlock()
	s.poke()
}

func (s *Supervisor) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Endpoint returns the current endpoint of subscription id (a Lookup).
func (s *Supervisor) Endpoint(id string) (Endpoint, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ep, ok := s.desired[id]
	return ep, ok
}

// Run reconciles workers until ctx is done, then stops them all: each stops
// fetching, finishes in-flight deliveries for up to ShutdownTimeout, then
// stops hard and commits what settled.
func (s *Supervisor) Run(ctx context.Context) error {
	for _, topic := range []string{s.cfg.Topics.Attempts, s.cfg.Topics.Operational} {
		if err := s.deps.Broker.Ensure(ctx, topic); err != nil {
			return err
		}
	}
	tick := time.NewTicker(lagInterval)
	defer tick.Stop()
	for {
		var retry <-chan time.Time
		if wait := s.reconcile(ctx); wait > 0 {
			retry = s.clock.After(wait)
		}
		select {
		case <-ctx.Done():
			s.stopAll()
			return nil
		case <-s.wake:
		case <-retry:
		case <-tick.C:
			s.refreshGauges(ctx)
		}
	}
}

// reconcile stops workers whose endpoint changed or went away (forgetting
// the metrics of those that went away), then starts the missing ones whose
// restart backoff has passed. It returns how long until the next restart is
// due (0: none pending).
func (s *Supervisor) reconcile(ctx context.Context) time.Duration {
	stop, gone := s.stale()
	stopWorkers(stop)
	for _, id := range gone {
		s.deps.Metrics.forget(id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now, next := s.clock.Now(), time.Duration(0)
	for id, ep := range s.desired {
		if old, ok := s.disabled[id]; ok && old.same(ep) {
			continue
		}
		delete(s.disabled, id)
		if _, ok := s.running[id]; ok || ctx.Err() != nil {
			continue
		}
		if wait := s.failed[id].at.Sub(now); wait > 0 {
			next = minPositive(next, wait)
			continue
		}
		s.start(ctx, ep)
	}
	return next
}

// stale takes out of the running set the workers to stop, and returns them
// with the ids of subscriptions that went away altogether.
func (s *Supervisor) stale() (stop []*runningWorker, gone []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.running {
		ep, ok := s.desired[id]
		if !ok || !ep.same(r.ep) {
			stop = append(stop, r)
			delete(s.running, id)
			delete(s.failed, id) // a changed endpoint starts afresh
		}
	}
	for _, ids := range []map[string]Endpoint{s.disabled, endpointsOf(stop)} {
		for id := range ids {
			if _, ok := s.desired[id]; !ok {
				gone = append(gone, id)
				delete(s.disabled, id)
			}
		}
	}
	for id := range s.failed {
		if _, ok := s.desired[id]; !ok {
			gone = append(gone, id)
			delete(s.failed, id)
		}
	}
	return stop, gone
}

func endpointsOf(rs []*runningWorker) map[string]Endpoint {
	m := make(map[string]Endpoint, len(rs))
	for _, r := range rs {
		m[r.ep.ID] = r.ep
	}
	return m
}

func minPositive(a, b time.Duration) time.Duration {
	if a <= 0 || b < a {
		return b
	}
	return a
}

// start launches a worker for ep (mu held).
func (s *Supervisor) start(ctx context.Context, ep Endpoint) {
	w, err := NewWorker(s.cfg, ep, s.deps)
	if err != nil {
		s.log.Error("worker not started", zap.String("subscription", ep.ID), zap.Error(err))
		return
	}
	wctx, cancel := context.WithCancel(ctx)
	r := &runningWorker{ep: ep, w: w, cancel: cancel, done: make(chan struct{}), started: s.clock.Now()}
	s.running[ep.ID] = r
	go func() {
		defer close(r.done)
		err := w.Run(wctx)
		s.exited(r, err)
	}()
}

// exited forgets a worker that stopped by itself; one that failed is
// restarted after its backoff.
func (s *Supervisor) exited(r *runningWorker, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[r.ep.ID] != r {
		return // stopped by reconcile
	}
	delete(s.running, r.ep.ID)
	switch {
	case errors.Is(err, ErrDisabled):
		s.disabled[r.ep.ID] = r.ep
	case err != nil:
		now := s.clock.Now()
		f := s.failed[r.ep.ID]
		if now.Sub(r.started) >= restartMax {
			f.failures = 0 // it ran a good while: not a crash loop
		}
		f.failures++
		wait := restartBackoff(f.failures)
		f.at = now.Add(wait)
		s.failed[r.ep.ID] = f
		s.log.Error("worker failed; restarting after a backoff", zap.String("subscription", r.ep.ID),
			zap.Int("attempt", f.failures), zap.Duration("duration", wait), zap.Error(err))
		s.poke()
	}
}

func stopWorkers(ws []*runningWorker) {
	for _, r := range ws {
		r.cancel()
	}
	for _, r := range ws {
		<-r.done
	}
}

func (s *Supervisor) stopAll() {
	s.mu.Lock()
	ws := make([]*runningWorker, 0, len(s.running))
	for _, r := range s.running {
		ws = append(ws, r)
	}
	s.mu.Unlock()
	stopWorkers(ws)
}

// refreshGauges sets the lag and retry-depth gauges of every running worker.
func (s *Supervisor) refreshGauges(ctx context.Context) {
	s.mu.Lock()
	ws := make([]*Worker, 0, len(s.running))
	for _, r := range s.running {
		ws = append(ws, r.w)
	}
	s.mu.Unlock()
	for _, w := range ws {
		if n, err := s.deps.Broker.Pending(ctx, w.deliverTopic(), w.group()); err == nil {
			s.deps.Metrics.lag.WithLabelValues(w.ep.ID).Set(float64(n))
		}
		var depth int64
		for _, t := range w.tiers {
			if n, err := s.deps.Broker.Pending(ctx, w.tierTopic(t), w.tierGroup(t)); err == nil {
				depth += n
			}
		}
		s.deps.Metrics.retry.WithLabelValues(w.ep.ID).Set(float64(depth))
	}
}
