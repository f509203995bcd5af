package delivery

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestSupervisorStartsAndStopsWorkersOnUpdate(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, nil, nil)
	b := newMemBroker()
	s := NewSupervisor(testConfig(), memDeps(b))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	ep := Endpoint{ID: "a", URL: srv.URL, Secrets: []webhook.Secret{testSecret}}
	s.Update([]Endpoint{ep})
	_ = b.WriteMessages(ctx, record("engagehub.deliver.a", "c1", "e1"))
	waitArrivals(t, rcv, 1)
	s.Update(nil)
	eventually(t, 5*time.Second, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.workers) == 0
	}, "worker stopped")
	if _, ok := s.Endpoint("a"); ok {
		t.Fatal("removed endpoint still looked up")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// A subscription that goes away takes its metric series with it — except
// engagehub_subscription_disabled_total, which the auto-disable alert needs.
func TestSupervisorForgetsMetricsOfRemovedSubscriptions(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, nil, nil)
	b := newMemBroker()
	m := NewMetrics(nil)
	deps := memDeps(b)
	deps.Metrics = m
	s := NewSupervisor(testConfig(), deps)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	m.disabled.WithLabelValues("a").Inc() // as if it had been disabled before
	s.Update([]Endpoint{{ID: "a", URL: srv.URL, Secrets: []webhook.Secret{testSecret}}})
	_ = b.WriteMessages(ctx, record("engagehub.deliver.a", "c1", "e1"))
	waitArrivals(t, rcv, 1)
	eventually(t, 5*time.Second, func() bool { return seriesOf(m.deliveries) == 1 }, "delivery counted")
	s.Update(nil)
	eventually(t, 5*time.Second, func() bool { return seriesOf(m.deliveries)+seriesOf(m.circuit)+seriesOf(m.inFlight) == 0 }, "series forgotten")
	if seriesOf(m.disabled) != 1 {
		t.Fatal("engagehub_subscription_disabled_total was forgotten")
	}
}

func seriesOf(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric, 100)
	c.Collect(ch)
	close(ch)
	return len(ch)
}

// memDeps runs a supervisor over memBroker feeds.
func memDeps(b *memBroker) Deps {
	cfg := testConfig()
	return Deps{Deliveries: b.feed(cfg.Topics.Group), Tiers: b.feed(cfg.TierGroup()), Broker: b, Sink: b,
		Client: loopbackClient(), Decoder: rawDecoder{}}
}

// failingBroker cannot create topics until healed.
type failingBroker struct {
	*memBroker
	healed atomic.Bool
	tries  atomic.Int32
}

func (b *failingBroker) Ensure(context.Context, int, ...string) error {
	b.tries.Add(1)
	if !b.healed.Load() {
		return errors.New("kafka: dial tcp: connection refused")
	}
	return nil
}

// Kafka away at start: the sender keeps trying instead of returning, and
// delivers once Kafka answers.
func TestSupervisorWaitsOutKafkaBeingAway(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, nil, nil)
	b := &failingBroker{memBroker: newMemBroker()}
	deps := memDeps(b.memBroker)
	deps.Broker = b
	s := NewSupervisor(testConfig(), deps)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	s.Update([]Endpoint{{ID: "a", URL: srv.URL, Secrets: []webhook.Secret{testSecret}}})
	_ = b.WriteMessages(ctx, record("engagehub.deliver.a", "c1", "e1"))
	eventually(t, 10*time.Second, func() bool { return b.tries.Load() >= 2 }, "a second try")
	select {
	case err := <-done:
		t.Fatalf("Run returned while Kafka was away: %v", err)
	default:
	}
	b.healed.Store(true)
	waitArrivals(t, rcv, 1)
}

// A thousand idle subscriptions are state, not goroutines: the sender's
// goroutine count does not grow with them.
func TestIdleSubscriptionsCostNoGoroutines(t *testing.T) {
	b := newMemBroker()
	s := NewSupervisor(testConfig(), memDeps(b))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	s.Update([]Endpoint{{ID: "warm", URL: "http://127.0.0.1:9/", Secrets: []webhook.Secret{testSecret}}})
	eventually(t, 5*time.Second, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.workers) == 1 }, "one worker")
	before := runtime.NumGoroutine()
	eps := make([]Endpoint, 1000)
	for i := range eps {
		eps[i] = Endpoint{ID: fmt.Sprintf("s%d", i), URL: "http://127.0.0.1:9/", Secrets: []webhook.Secret{testSecret}}
	}
	s.Update(eps)
	eventually(t, 10*time.Second, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.workers) == 1000 }, "1,000 workers")
	// goroutines of earlier tests may still be winding down: poll until the
	// count settles, and fail only if 1,000 subscriptions keep it up
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine()-before > 20 {
		if time.Now().After(deadline) {
			t.Fatalf("1,000 idle subscriptions added %d goroutines", runtime.NumGoroutine()-before)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}
