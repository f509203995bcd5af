package delivery

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// switchable answers 503 until healthy is set, then 200.
func switchable(healthy *atomic.Bool) receiver.Script {
	return func(receiver.Arrival) (int, http.Header) {
		if healthy.Load() {
			return 200, nil
		}
		return 503, nil
	}
}

func deliverRecords(from, to int) []kafka.Message {
	var msgs []kafka.Message
	for i := from; i < to; i++ {
		msgs = append(msgs, record("engagehub.deliver.sub", fmt.Sprintf("c%d", i), fmt.Sprintf("e%d", i)))
	}
	return msgs
}

// The circuit opens after FailureThreshold consecutive failures; while open
// the worker fetches nothing new, sends nothing but one probe at a time at
// doubling intervals, keeps the failing events in memory without burning
// their retry schedule (none reaches the retry tiers or the dead-letter
// topic), and a successful probe closes it and drains the backlog.
func TestCircuitOpensProbesAndCloses(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	var healthy atomic.Bool
	rcv, srv := testReceiver(t, switchable(&healthy), clock.Now)
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, time.Minute, time.Minute}
	cfg.Circuit = CircuitConfig{FailureThreshold: 3, ProbeInterval: 5 * time.Second, ProbeMax: 20 * time.Second}
	_ = b.WriteMessages(context.Background(), deliverRecords(0, 10)...)
	ts, _ := runWorker(t, cfg, Endpoint{URL: srv.URL, MaxInFlight: 1}, Deps{Broker: b, Sink: b, Clock: clock})
	waitArrivals(t, rcv, 3)
	eventually(t, 5*time.Second, func() bool { return circuitState(ts.worker(t)) == circuitOpen }, "circuit open")
	_ = b.WriteMessages(context.Background(), deliverRecords(10, 15)...)

	probes := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 20 * time.Second}
	for i, gap := range probes {
		clock.Advance(gap - time.Millisecond)
		if n := len(rcv.Arrivals()); n != 3+i {
			t.Fatalf("probe %d: %d arrivals %s early, want %d", i+1, n, time.Millisecond, 3+i)
		}
		clock.Advance(time.Millisecond)
		waitArrivals(t, rcv, 4+i)
		eventually(t, 5*time.Second, func() bool { return circuitState(ts.worker(t)) == circuitOpen }, "probe failed, circuit open again")
		if n := len(rcv.Arrivals()); n != 4+i {
			t.Fatalf("probe %d: %d arrivals, want exactly one probe", i+1, n)
		}
	}
	if got := b.fetched("engagehub.deliver.sub"); got > 11 {
		t.Fatalf("fetched %d records while the circuit was open, want at most 10 + the one in flight", got)
	}
	if n := len(b.records("engagehub.retry.1m")); n != cfg.Circuit.FailureThreshold-1 {
		t.Fatalf("retry-tier records = %d, want %d (only failures before the circuit opened)", n, cfg.Circuit.FailureThreshold-1)
	}

	healthy.Store(true)
	clock.Advance(20 * time.Second)
	eventually(t, 5*time.Second, func() bool { return !ts.worker(t).breaker.isOpen() }, "circuit closed")
	clock.Advance(time.Minute) // the two in the retry tier come back
	if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return delivered(a) == 15 }) {
		t.Fatalf("delivered %d of 15 after the circuit closed", delivered(rcv.Arrivals()))
	}
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
	if n := len(b.records("engagehub.dlq.sub")); n != 0 {
		t.Fatalf("dead letters = %d, want 0: failures while open must not burn the schedule", n)
	}
}

func circuitState(w *Worker) int {
	w.breaker.mu.Lock()
	defer w.breaker.mu.Unlock()
	return w.breaker.state
}

// delivered counts distinct events answered 200.
func delivered(a []receiver.Arrival) int {
	seen := map[string]bool{}
	for _, x := range a {
		if x.Status == 200 {
			seen[x.MsgID] = true
		}
	}
	return len(seen)
}

// After a long outage a recovered endpoint is probed at most
// sender.circuit.probe_max (default 30s) after it recovered.
func TestDefaultProbeWaitIsCappedAt30s(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	cfg := DefaultConfig().Circuit
	b := newBreaker(cfg, clock, nil)
	for range cfg.FailureThreshold {
		b.failure() // the circuit opens
	}
	for range 200 { // hours of failed probes: the wait doubled many times
		b.mu.Lock()
		b.state = circuitHalfOpen // the next probe went out...
		b.mu.Unlock()
		b.failure() // ...and failed
	}
	if wait := b.nextProbe.Sub(clock.Now()); wait > 30*time.Second || wait != cfg.ProbeMax {
		t.Fatalf("probe wait after a long outage = %s, want the cap %s ≤ 30s", wait, cfg.ProbeMax)
	}
}
