package delivery

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A subscription's own retry schedule replaces the config's, under the
// injected clock: in-memory waits for its short delays, the shared tier of
// the next configured delay up for a long one (and not a second early),
// then the dead-letter topic after its own attempt count.
func TestSubscriptionRetryScheduleReplacesTheConfigs(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rcv, srv := testReceiver(t, statuses(500), clock.Now)
	b := newMemBroker()
	cfg := testConfig() // Svix's schedule: 0, 5s, 5m, 30m, 2h, ...
	ep := Endpoint{URL: srv.URL, RetrySchedule: []time.Duration{0, 2 * time.Second, 7 * time.Second, 40 * time.Minute}}
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, cfg, ep, Deps{Broker: b, Sink: b, Clock: clock})
	start := clock.Now()
	waitArrivals(t, rcv, 1)
	for i, step := range []time.Duration{2 * time.Second, 7 * time.Second} {
		clock.waitWaiters(t, 1)
		clock.Advance(step - time.Millisecond)
		if got := len(rcv.Arrivals()); got != i+1 {
			t.Fatalf("attempt %d arrived before its delay %s", got, step)
		}
		clock.Advance(time.Millisecond)
		waitArrivals(t, rcv, i+2)
	}
	// 40m > memory_retry_max: it waits in the 30m tier, until its own due time.
	// 40m > memory_retry_max and no tier of 40m: it waits in the 2h tier
	// (the next one up), as long as the records ahead of it.
	eventually(t, 5*time.Second, func() bool { return len(b.records("engagehub.retry.2h")) == 1 }, "the record in the 2h tier")
	clock.waitWaiters(t, 1)
	clock.Advance(2*time.Hour - time.Second)
	clock.waitWaiters(t, 1)
	if got := len(rcv.Arrivals()); got != 3 || len(b.records("engagehub.retry.2h")) != 1 {
		t.Fatalf("the retry moved before its tier's delay (%d arrivals, %d tier records)", got, len(b.records("engagehub.retry.2h")))
	}
	clock.Advance(time.Second)
	waitArrivals(t, rcv, 4)
	want := []time.Duration{0, 2 * time.Second, 9 * time.Second, 2*time.Hour + 9*time.Second}
	for i, a := range rcv.Arrivals() {
		if got := a.At.Sub(start); got != want[i] {
			t.Errorf("attempt %d at +%s, want +%s", i+1, got, want[i])
		}
	}
	eventually(t, 5*time.Second, func() bool { return len(b.records("engagehub.dlq.sub")) == 1 }, "dead letter after the subscription's 4 attempts")
	assertDeadLetter(t, b, "5xx", 4)
}

// The request timeout is the subscription's when it has one, else the config's.
func TestRequestTimeoutIsTheSubscriptionsElseTheConfigs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		cfgTimeout    time.Duration
		endpointLimit time.Duration
	}{
		{"the subscription's override", time.Hour, 50 * time.Millisecond},
		{"the config's default", 50 * time.Millisecond, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := hangingServer(t)
			b := newMemBroker()
			cfg := testConfig()
			cfg.Timeout = tc.cfgTimeout
			cfg.RetrySchedule = []time.Duration{0}
			attempts := make(attemptChan, 10)
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
			runWorker(t, cfg, Endpoint{URL: srv.URL, Timeout: tc.endpointLimit}, Deps{Broker: b, Sink: b, Attempts: attempts})
			if a := nextAttempt(t, attempts); a.Class != "timeout" {
				t.Fatalf("attempt class %q, want timeout", a.Class)
			}
		})
	}
}

// hangingServer holds every request until the client gives up.
func hangingServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the server notices the client leaving only once the body is read
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv
}
