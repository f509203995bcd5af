package delivery

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestSupervisorStartsAndStopsWorkersOnUpdate(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, nil, nil)
	b := newMemBroker()
	s := NewSupervisor(testConfig(), Deps{Broker: b, Sink: b, Client: loopbackClient(), Decoder: rawDecoder{}})
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
		return len(s.running) == 0
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
	s := NewSupervisor(testConfig(), Deps{Broker: b, Sink: b, Client: loopbackClient(), Decoder: rawDecoder{}, Metrics: m})
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

// failingBroker cannot open any topic; it records when each Open came.
type failingBroker struct {
	*memBroker
	clock Clock
	mu    sync.Mutex
	opens []time.Time
}

func (b *failingBroker) Open(context.Context, string, string) (Source, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opens = append(b.opens, b.clock.Now())
	return nil, errors.New("kafka: not ready")
}

func (b *failingBroker) openCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.opens)
}

// A worker that fails to start is restarted after 1s, 2s, 4s, 8s on the
// supervisor's clock — and never earlier.
func TestSupervisorBacksOffFailedRestarts(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := &failingBroker{memBroker: newMemBroker(), clock: clock}
	s := NewSupervisor(testConfig(), Deps{Broker: b, Sink: b, Client: loopbackClient(), Decoder: rawDecoder{}, Clock: clock})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	s.Update([]Endpoint{{ID: "a", URL: "http://127.0.0.1:9/", Secrets: []webhook.Secret{testSecret}}})
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i, d := range want {
		eventually(t, 5*time.Second, func() bool { return b.openCount() == i+1 }, "worker start")
		clock.waitWaiters(t, 1)
		clock.Advance(d - time.Millisecond)
		s.poke() // a reconcile before the backoff passed must not restart it
		clock.Advance(time.Millisecond)
	}
	eventually(t, 5*time.Second, func() bool { return b.openCount() == len(want)+1 }, "last restart")
	for i, d := range want {
		if gap := b.opens[i+1].Sub(b.opens[i]); gap != d {
			t.Fatalf("restart %d after %s, want %s", i+1, gap, d)
		}
	}
}

func TestRestartBackoffDoublesUpToTheCap(t *testing.T) {
	t.Parallel()
	for failures, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second,
		9: 256 * time.Second, 10: restartMax, 1000: restartMax} {
		if got := restartBackoff(failures); got != want {
			t.Errorf("restartBackoff(%d) = %s, want %s", failures, got, want)
		}
	}
}
