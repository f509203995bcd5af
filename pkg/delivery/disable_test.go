package delivery

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// attemptChan hands every recorded attempt to the test.
type attemptChan chan Attempt

func (c attemptChan) Record(a Attempt) { c <- a }

// An endpoint failing continuously is disabled once it has been failing for
// DisableAfter on the worker's clock — not one probe earlier: the Disabler is
// called, an operational event is published on the operational topic, and
// engagehub_subscription_disabled_total counts it.
func TestDisableAfterContinuousFailure(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	_, srv := testReceiver(t, statuses(503), clock.Now)
	b := newMemBroker()
	dis := &recordingDisabler{}
	metrics := NewMetrics(nil)
	attempts := make(attemptChan, 100)
	cfg := testConfig()
	cfg.DisableAfter = time.Hour
	cfg.Circuit = CircuitConfig{FailureThreshold: 1, ProbeInterval: 5 * time.Second, ProbeMax: 10 * time.Minute}
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	ts, _ := runWorker(t, cfg, Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Clock: clock,
		Disabler: dis, Metrics: metrics, Attempts: attempts})
	start := nextAttempt(t, attempts).At // the first failure opens the circuit
	for step := 0; ; step++ {
		if step > 10 {
			t.Fatal("not disabled after 10 probes past disable_after")
		}
		clock.waitWaiters(t, 1)         // the probe is waiting for its time
		clock.Advance(10 * time.Minute) // each step lets exactly one probe through
		a := nextAttempt(t, attempts)
		failing := a.At.Sub(start)
		if failing < cfg.DisableAfter {
			if dis.count() != 0 {
				t.Fatalf("disabled after failing %s, before disable_after %s", failing, cfg.DisableAfter)
			}
			continue
		}
		if dis.count() != 1 {
			t.Fatalf("not disabled after failing %s (disable_after %s)", failing, cfg.DisableAfter)
		}
		break
	}
	eventually(t, 5*time.Second, ts.disabled, "worker disabled")
	assertOperational(t, b, dis)
	if n := metricValue(t, metrics.disabled.WithLabelValues("sub")); n != 1 {
		t.Fatalf("engagehub_subscription_disabled_total = %g, want 1", n)
	}
}

// metricValue reads a counter or gauge.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if c := out.GetCounter(); c != nil {
		return c.GetValue()
	}
	return out.GetGauge().GetValue()
}

func nextAttempt(t *testing.T, c attemptChan) Attempt {
	t.Helper()
	select {
	case a := <-c:
		return a
	case <-time.After(5 * time.Second):
		t.Fatal("no attempt within 5s")
		return Attempt{}
	}
}

// A first attempt observes its delivery delay — from the record's write by
// fan-out to the request — once.
func TestFirstAttemptObservesTheDeliveryDelayOnce(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	_, srv := testReceiver(t, statuses(204), clock.Now)
	b := newMemBroker()
	metrics := NewMetrics(nil)
	attempts := make(attemptChan, 10)
	m := record("engagehub.deliver.sub", "c1", "e1")
	m.Time = clock.Now().Add(-3 * time.Second)
	_ = b.WriteMessages(context.Background(), m)
	runWorker(t, testConfig(), Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Clock: clock, Metrics: metrics, Attempts: attempts})
	nextAttempt(t, attempts)
	var out dto.Metric
	if err := metrics.delay.Write(&out); err != nil {
		t.Fatal(err)
	}
	if h := out.GetHistogram(); h.GetSampleCount() != 1 || h.GetSampleSum() < 3 || h.GetSampleSum() > 4 {
		t.Fatalf("delay observed %d times summing %.2fs, want once, 3s", h.GetSampleCount(), h.GetSampleSum())
	}
}

// Positions settled within sender.commit_interval of a commit go out
// together in the next one, and a stop commits what is left: each commit
// writes a record per partition to __consumer_offsets, so committing on
// every settle costs the broker deliveries × partitions.
func TestSettledPositionsWaitForTheCommitInterval(t *testing.T) {
	t.Parallel()
	_, srv := testReceiver(t, statuses(204), time.Now)
	b := newMemBroker()
	attempts := make(attemptChan, 100)
	for i := range 20 {
		_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", fmt.Sprintf("c%d", i), fmt.Sprintf("e%d", i)))
	}
	cfg := testConfig()
	cfg.CommitInterval = time.Hour
	_, stop := runWorker(t, cfg, Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Attempts: attempts})
	for range 20 {
		nextAttempt(t, attempts)
	}
	eventually(t, 5*time.Second, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.commits == 1 }, "the first settle committed")
	// The first commit may have covered any part of the first 20 (a slow
	// machine settles them all before it runs); these 20 settle after it
	// and must wait for the interval, here the stop.
	for i := range 20 {
		_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", fmt.Sprintf("d%d", i), fmt.Sprintf("f%d", i)))
	}
	for range 20 {
		nextAttempt(t, attempts)
	}
	stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.commits != 2 || b.committed[cfg.Topics.Group+"|engagehub.deliver.sub"] != 40 {
		t.Fatalf("%d commits, committed up to %d; want 2 (the first settle, then the rest at stop) covering all 40",
			b.commits, b.committed[cfg.Topics.Group+"|engagehub.deliver.sub"])
	}
}
