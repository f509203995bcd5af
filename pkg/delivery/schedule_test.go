package delivery

import (
	"context"
	"fmt"
	"github.com/engagehub/engagehub/pkg/webhook"
	"net/http"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
)

// The schedule is honoured to the second under an injected clock: in-memory
// waits for short delays, a retry tier for long ones, then the dead-letter topic.
func TestRetryScheduleHonouredUnderInjectedClock(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rcv, srv := testReceiver(t, statuses(500), clock.Now)
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute}
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, cfg, Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Clock: clock})
	start := clock.Now()
	waitArrivals(t, rcv, 1)
	for i, step := range []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute} {
		clock.waitWaiters(t, 1)
		if got := len(rcv.Arrivals()); got != i+1 {
			t.Fatalf("attempt %d arrived before its delay", got)
		}
		clock.Advance(step)
		waitArrivals(t, rcv, i+2)
	}
	want := []time.Duration{0, 5 * time.Second, 5*time.Minute + 5*time.Second, 35*time.Minute + 5*time.Second}
	for i, a := range rcv.Arrivals() {
		if got := a.At.Sub(start); got != want[i] {
			t.Errorf("attempt %d at +%s, want +%s", i+1, got, want[i])
		}
	}
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
	eventually(t, 5*time.Second, func() bool { return len(b.records("engagehub.dlq.sub")) == 1 }, "dead letter")
	assertDeadLetter(t, b, "5xx", 4)
	if n := len(b.records("engagehub.retry.5m")); n != 1 {
		t.Fatalf("5m tier records = %d, want 1", n)
	}
}

func TestRetryAfterOverridesSchedule(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	script := func(a receiver.Arrival) (int, http.Header) {
		if a.Attempt == 1 {
			return 429, http.Header{"Retry-After": {"3"}}
		}
		return 200, nil
	}
	rcv, srv := testReceiver(t, script, clock.Now)
	b := newMemBroker()
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, testConfig(), Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Clock: clock})
	waitArrivals(t, rcv, 1)
	clock.waitWaiters(t, 1)
	clock.Advance(3 * time.Second)
	waitArrivals(t, rcv, 2)
	if got := rcv.Arrivals()[1].At.Sub(rcv.Arrivals()[0].At); got != 3*time.Second {
		t.Fatalf("second attempt after %s, want the Retry-After 3s", got)
	}
}

func waitArrivals(t *testing.T, rcv *receiver.Receiver, n int) {
	t.Helper()
	if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return len(a) >= n }) {
		t.Fatalf("arrivals = %d, want %d", len(rcv.Arrivals()), n)
	}
}

// Every retry of the default schedule fires within its delay ± jitter,
// whichever way the jitter goes — also those waiting in a retry tier (a
// jittered 5m must not wait for the 30m tier, nor snap back to 5m).
func TestRetriesFireAtTheirJitteredDelayOverTheWholeSchedule(t *testing.T) {
	t.Parallel()
	for _, sign := range []float64{-1, 1} {
		t.Run(fmt.Sprintf("jitter %+.0f", sign), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			rcv, srv := testReceiver(t, statuses(500), clock.Now)
			b := newMemBroker()
			cfg := DefaultConfig()
			cfg.ShutdownTimeout = time.Second
			deps := memDeps(b)
			deps.Clock = clock
			s := NewSupervisor(cfg, deps)
			s.rand = func() float64 { return (1 + sign*0.999) / 2 } // 2r-1 = ±0.999
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
			s.Update([]Endpoint{{ID: "sub", URL: srv.URL, Secrets: []webhook.Secret{testSecret}}})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { _ = s.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			waitArrivals(t, rcv, 1)
			for i, nominal := range cfg.RetrySchedule[1:] {
				d := time.Duration(float64(nominal) * (1 + sign*cfg.RetryJitter*0.999))
				clock.waitWaiters(t, 1)
				clock.Advance(d - time.Millisecond)
				if got := len(rcv.Arrivals()); got != i+1 {
					t.Fatalf("retry %d (%s jittered to %s) fired early", i+1, nominal, d)
				}
				clock.Advance(time.Millisecond)
				waitArrivals(t, rcv, i+2)
				a := rcv.Arrivals()
				if gap := a[i+1].At.Sub(a[i].At); gap != d {
					t.Fatalf("retry %d after %s, want %s (%s %+.0f%%)", i+1, gap, d, nominal, sign*10)
				}
			}
			eventually(t, 5*time.Second, func() bool { return len(b.records("engagehub.dlq.sub")) == 1 }, "dead letter")
		})
	}
}

// A Retry-After longer than its tier holds a record (1h in the 30m tier)
// moves the record once to a tier that holds it (2h) — never round and
// round its own tier — and the retry still fires on time.
func TestALongRetryAfterMovesToATierThatHoldsItOnce(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	script := func(a receiver.Arrival) (int, http.Header) {
		if a.Attempt == 1 {
			return 429, http.Header{"Retry-After": {"3600"}}
		}
		return 200, nil
	}
	rcv, srv := testReceiver(t, script, clock.Now)
	b := newMemBroker()
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	cfg := testConfig()
	runWorker(t, cfg, Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Clock: clock})
	waitArrivals(t, rcv, 1)
	long := cfg.Topics.RetryPrefix + "2h"
	eventually(t, 5*time.Second, func() bool { return len(b.records(long)) == 1 }, "the retry moved to the 2h tier")
	clock.waitWaiters(t, 1) // the mover waits for it there
	for topic, n := range map[string]int{cfg.Topics.RetryPrefix + "30m": 1, long: 1} {
		if got := len(b.records(topic)); got != n {
			t.Fatalf("%s holds %d records, want %d (written once, not round and round)", topic, got, n)
		}
	}
	clock.Advance(time.Hour)
	waitArrivals(t, rcv, 2)
	if got := rcv.Arrivals()[1].At.Sub(rcv.Arrivals()[0].At); got != time.Hour {
		t.Fatalf("second attempt after %s, want the Retry-After 1h", got)
	}
}
