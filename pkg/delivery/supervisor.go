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

// lagInterval is how often the supervisor refreshes lag and retry-depth gauges
// and restarts workers that failed.
const lagInterval = 15 * time.Second

// NewHTTPClient is the one delivery client every worker shares: the dial
// policy from AllowNetworks, MaxConnsPerHost, no redirects. Per-request
// timeouts come from each Endpoint.
func NewHTTPClient(cfg Config) *http.Client {
	return webhook.NewHTTPClient(cfg.DialPolicy(), 0, cfg.MaxConnsPerHost)
}

// Supervisor owns one Worker per enabled webhook subscription. cmd calls
// Update whenever the set of subscriptions changes and Run once.
type Supervisor struct {
	cfg  Config
	deps Deps
	log  *zap.Logger

	mu       sync.Mutex
	desired  map[string]Endpoint
	running  map[string]*runningWorker
	disabled map[string]Endpoint // stopped after disabling; restarted only when changed
	wake     chan struct{}
}

type runningWorker struct {
	ep     Endpoint
	w      *Worker
	cancel context.CancelFunc
	done   chan struct{}
}

// NewSupervisor returns a supervisor; deps are shared by all its workers.
func NewSupervisor(cfg Config, deps Deps) *Supervisor {
	deps = deps.withDefaults()
	return &Supervisor{cfg: cfg, deps: deps, log: deps.Log.Named("sender"),
		desired: map[string]Endpoint{}, running: map[string]*runningWorker{},
		disabled: map[string]Endpoint{}, wake: make(chan struct{}, 1)}
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
		s.reconcile(ctx)
		select {
		case <-ctx.Done():
			s.stopAll()
			return nil
		case <-s.wake:
		case <-tick.C:
			s.refreshGauges(ctx)
		}
	}
}

func (s *Supervisor) reconcile(ctx context.Context) {
	s.mu.Lock()
	var stop []*runningWorker
	for id, r := range s.running {
		if ep, ok := s.desired[id]; !ok || !ep.same(r.ep) {
			stop = append(stop, r)
			delete(s.running, id)
		}
	}
	s.mu.Unlock()
	stopWorkers(stop)
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ep := range s.desired {
		if old, ok := s.disabled[id]; ok && old.same(ep) {
			continue
		}
		delete(s.disabled, id)
		if _, ok := s.running[id]; !ok && ctx.Err() == nil {
			s.start(ctx, ep)
		}
	}
}

// start launches a worker for ep (mu held).
func (s *Supervisor) start(ctx context.Context, ep Endpoint) {
	w, err := NewWorker(s.cfg, ep, s.deps)
	if err != nil {
		s.log.Error("worker not started", zap.String("subscription", ep.ID), zap.Error(err))
		return
	}
	wctx, cancel := context.WithCancel(ctx)
	r := &runningWorker{ep: ep, w: w, cancel: cancel, done: make(chan struct{})}
	s.running[ep.ID] = r
	go func() {
		defer close(r.done)
		err := w.Run(wctx)
		s.exited(r, err)
	}()
}

// exited forgets a worker that stopped by itself.
func (s *Supervisor) exited(r *runningWorker, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[r.ep.ID] == r {
		delete(s.running, r.ep.ID)
	}
	switch {
	case errors.Is(err, ErrDisabled):
		s.disabled[r.ep.ID] = r.ep
	case err != nil:
		s.log.Error("worker failed; restarting at the next reconcile", zap.String("subscription", r.ep.ID), zap.Error(err))
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
