package delivery

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// lagInterval is how often the supervisor refreshes the lag gauges.
const lagInterval = 15 * time.Second

// NewHTTPClient is the delivery client every worker shares: the dial
// policy from AllowNetworks, no redirects, keep-alive connections pooled
// per receiver host across subscriptions, each closed after
// IdleConnTimeout unused, so the connections open follow the requests in
// flight (at most MaxInFlightTotal), not the number of subscriptions. Over
// fasthttp (HTTPClient, the default) that is the whole bound; over
// net/http at most MaxIdleConns stay idle per host and twice
// MaxInFlightTotal in all (MaxConnsTotal less MaxInFlightTotal when set,
// which selects net/http: in use plus idle stay within it). It sets no
// per-host connection limit: each subscription's concurrency,
// min(maxInFlight, MaxConnsPerHost), bounds the connections it holds, so a
// slow endpoint holds only its own requests' connections and never waits
// for, or keeps from, another subscription's on the same host.
// Per-request timeouts come from each Endpoint.
func NewHTTPClient(cfg Config) *http.Client {
	c := webhook.NewHTTPClient(cfg.DialPolicy(), 0, 0)
	if t, ok := c.Transport.(*http.Transport); ok {
		t.MaxConnsPerHost = 0
		t.MaxIdleConnsPerHost = max(1, cfg.MaxIdleConns)
		t.MaxIdleConns = max(t.MaxIdleConnsPerHost, 2*cfg.MaxInFlightTotal)
		if cfg.MaxConnsTotal > 0 {
			t.MaxIdleConns = max(1, cfg.MaxConnsTotal-cfg.MaxInFlightTotal)
			t.MaxIdleConnsPerHost = min(t.MaxIdleConnsPerHost, t.MaxIdleConns)
		}
		if cfg.IdleConnTimeout > 0 {
			t.IdleConnTimeout = cfg.IdleConnTimeout
		}
		switch {
		case cfg.HTTPClient == HTTPClientStd || cfg.MaxConnsTotal > 0: // fasthttp has no bound across hosts
		case cfg.Pipelining > 0:
			c.Transport = webhook.NewPipeliningTransport(t, cfg.Pipelining, max(cfg.Timeout, time.Minute))
		default:
			c.Transport = webhook.NewFastTransport(t)
		}
	}
	return c
}

// Supervisor is the sender role. It keeps one Worker (a subscription's
// policy, no consumer of its own) per enabled webhook subscription, and
// consumes every delivery topic as one member of one consumer group
// (Deps.Deliveries), handing each record to its subscription's worker; a
// second member (Deps.Tiers) moves due retries back. Its fixed cost does not
// grow with the number of subscriptions: a paused or idle subscription is a
// few structs. cmd calls Update whenever the set of subscriptions changes
// and Run once.
type Supervisor struct {
	cfg   Config
	deps  Deps
	log   *zap.Logger
	clock Clock
	tiers []tier
	mover *mover
	rand  func() float64 // retry jitter source; nil: math/rand/v2 (tests inject one)

	hard     context.Context // ends in-flight work after the shutdown timeout
	soft     context.Context // ends fetching
	buffered atomic.Int64    // records held by all workers
	started  atomic.Bool     // own topics created
	jobs     sync.WaitGroup  // goroutines working on records
	runners  *runners        // reused goroutines that run them
	commit   chan struct{}   // a settle moved a committable offset
	sends    *fairSlots      // a slot per request in flight, all subscriptions (MaxInFlightTotal)

	mu      sync.Mutex
	desired map[string]Endpoint
	workers map[string]*Worker
	offs    map[string]*offsets // by delivery topic, for the partitions owned
	ensured map[string]bool     // delivery topics known to exist
	wake    chan struct{}
}

// NewSupervisor returns the sender; deps are shared by all its workers.
func NewSupervisor(cfg Config, deps Deps) *Supervisor {
	deps = deps.withDefaults()
	s := &Supervisor{cfg: cfg, deps: deps, log: deps.Log.Named("sender"), clock: deps.Clock, tiers: tiersOf(cfg), runners: newRunners(),
		commit: make(chan struct{}, 1), sends: newFairSlots(max(1, cfg.MaxInFlightTotal)),
		desired: map[string]Endpoint{}, workers: map[string]*Worker{},
		offs: map[string]*offsets{}, ensured: map[string]bool{}, wake: make(chan struct{}, 1)}
	s.hard, s.soft = context.Background(), context.Background()
	s.mover = newMover(s)
	return s
}

// Update replaces the set of endpoints: new ones start, removed ones stop,
// changed ones take effect at their next request.
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

// Readiness reports whether the sender consumes what it should: it created its
// topics and is a member of its groups with every enabled subscription's
// delivery topic. Not ready while starting, while a burst of subscription
// changes is being joined, or while Kafka is away.
func (s *Supervisor) Readiness(context.Context) error {
	if !s.started.Load() {
		return errors.New("sender: creating its topics")
	}
	if !s.deps.Deliveries.Member() || !s.deps.Tiers.Member() {
		return errors.New("sender: joining its consumer groups (Kafka away, or subscriptions changed)")
	}
	return nil
}

// exists reports whether subscription id exists, enabled or not.
func (s *Supervisor) exists(id string) bool {
	if id == "" {
		return false
	}
	if _, ok := s.Endpoint(id); ok {
		return true
	}
	if s.deps.Lookup == nil {
		return false
	}
	_, ok := s.deps.Lookup.Endpoint(id)
	return ok
}

// Run delivers until ctx is done: then it stops fetching, lets in-flight
// deliveries finish for up to ShutdownTimeout, abandons the rest unsettled,
// commits what settled, and leaves the groups. Kafka being away is waited
// out; Run returns only when ctx ends.
func (s *Supervisor) Run(ctx context.Context) error {
	hard, hardCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hardCancel()
	s.mu.Lock()
	s.hard, s.soft = hard, ctx
	s.mu.Unlock()
	if !s.ensureOwnTopics(ctx) {
		return nil
	}
	s.started.Store(true)
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.deps.Deliveries.Run(ctx, s) })
	wg.Go(func() { s.mover.run(ctx) })
	stopCommits := make(chan struct{})
	commitsDone := make(chan struct{})
	go func() { defer close(commitsDone); s.commits(stopCommits) }()
	s.reconcileLoop(ctx)
	wg.Wait()
	s.drain(hardCancel)
	close(stopCommits)
	<-commitsDone
	s.closeFeeds()
	return nil
}

// ensureOwnTopics creates the attempt log, operational and retry-tier
// topics, waiting for Kafka as long as it takes.
func (s *Supervisor) ensureOwnTopics(ctx context.Context) bool {
	topics := []string{s.cfg.Topics.Attempts, s.cfg.Topics.Operational}
	for _, t := range s.tiers {
		topics = append(topics, t.topic)
	}
	return retryIO(ctx, s.log, "ensure sender topics", topics[0], func() error { return s.deps.Broker.Ensure(ctx, 0, topics...) })
}

func (s *Supervisor) closeFeeds() {
	for _, f := range []Feed{s.deps.Deliveries, s.deps.Tiers} {
		if err := f.Close(); err != nil {
			s.log.Warn("leave group failed", zap.Error(err))
		}
	}
}

// drain waits for in-flight work, for at most ShutdownTimeout.
func (s *Supervisor) drain(hardCancel context.CancelFunc) {
	done := make(chan struct{})
	go func() { s.jobs.Wait(); close(done) }()
	t := time.NewTimer(s.cfg.ShutdownTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		hardCancel()
		<-done
	}
}

// reconcileLoop applies Update's endpoints, and refreshes the lag gauges,
// until ctx ends.
func (s *Supervisor) reconcileLoop(ctx context.Context) {
	tick := time.NewTicker(lagInterval)
	defer tick.Stop()
	var retry <-chan time.Time
	for {
		retry = nil
		if !s.reconcile(ctx) {
			retry = time.After(time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-retry:
		case <-tick.C:
			s.refreshLag()
		}
	}
}

// reconcile builds, updates and stops workers to match the desired
// endpoints, creates the missing delivery topics in one request, and
// consumes exactly the enabled subscriptions' topics. It returns false when
// topics could not be created (retried shortly).
func (s *Supervisor) reconcile(ctx context.Context) bool {
	stopped, gone := s.applyEndpoints()
	for _, w := range stopped {
		w.stop()
	}
	for _, id := range gone {
		s.deps.Metrics.forget(id)
	}
	topics, missing := s.topics()
	if len(missing) > 0 {
		if err := s.deps.Broker.Ensure(ctx, s.cfg.Topics.DeliverPartitions, missing...); err != nil {
			s.log.Warn("delivery topics not created yet", zap.Int("count", len(missing)), zap.Error(err))
			return false
		}
		s.mu.Lock()
		for _, t := range missing {
			s.ensured[t] = true
		}
		s.mu.Unlock()
	}
	s.deps.Deliveries.SetTopics(topics)
	return true
}

// applyEndpoints brings the workers in line with the desired endpoints. It
// returns the workers to stop and the subscriptions that went away.
func (s *Supervisor) applyEndpoints() (stopped []*Worker, gone []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, w := range s.workers {
		ep, ok := s.desired[id]
		switch {
		case !ok:
			stopped, gone = append(stopped, w), append(gone, id)
			delete(s.workers, id)
		case w.disabled.Load() && ep.same(w.current()):
			// disabled itself; stays stopped until the subscription changes
		case w.disabled.Load() || !ep.sameShape(w.ep):
			stopped = append(stopped, w)
			delete(s.workers, id)
		case !ep.same(w.current()):
			if err := w.update(ep); err != nil {
				s.log.Error("endpoint not updated", zap.String("subscription", id), zap.Error(err))
			}
		}
	}
	for id, ep := range s.desired {
		if _, ok := s.workers[id]; ok {
			continue
		}
		w, err := newWorker(s, ep)
		if err != nil {
			s.log.Error("worker not started", zap.String("subscription", id), zap.Error(err))
			continue
		}
		s.workers[id] = w
	}
	return stopped, gone
}

// topics lists the delivery topics to consume, and those not known to exist.
func (s *Supervisor) topics() (topics, missing []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, w := range s.workers {
		if w.disabled.Load() {
			continue
		}
		t := s.cfg.Topics.DeliverPrefix + id
		topics = append(topics, t)
		if !s.ensured[t] {
			missing = append(missing, t)
		}
	}
	slices.Sort(topics)
	return topics, missing
}

// acquireSend takes one of the MaxInFlightTotal send slots for
// subscription id: requests in flight (and so connections in use, and
// their goroutines) are bounded by configuration, not by the number of
// subscriptions, and while all are taken the subscriptions waiting take
// turns (fairSlots). False when ctx ended.
func (s *Supervisor) acquireSend(ctx context.Context, id string) bool {
	return s.sends.acquire(ctx, id)
}

func (s *Supervisor) releaseSend() { s.sends.release() }

// workerOf returns the worker consuming delivery topic topic.
func (s *Supervisor) workerOf(topic string) *Worker {
	id, ok := strings.CutPrefix(topic, s.cfg.Topics.DeliverPrefix)
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.workers[id]
}

// refreshLag sets every owned subscription's lag: records on its delivery
// topic after what was committed, from the high watermarks the fetches
// brought (no request to the brokers, whatever the number of subscriptions).
func (s *Supervisor) refreshLag() {
	ends := s.deps.Deliveries.HighWatermarks()
	lag := map[string]int64{}
	s.mu.Lock()
	for tp := range ends {
		if o := s.offs[tp.Topic]; o != nil {
			if next, ok := o.committedNext(tp.Partition); ok {
				lag[tp.Topic] += max(0, ends[tp]-next)
			}
		}
	}
	s.mu.Unlock()
	for topic, n := range lag {
		if w := s.workerOf(topic); w != nil {
			s.deps.Metrics.lag.WithLabelValues(w.ep.ID).Set(float64(n))
		}
	}
}
