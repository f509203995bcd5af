package console

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// senderMetrics registers the series the overview reads, named as the
// sender and fan-out register them.
type senderMetrics struct {
	deliveries *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	lag        *prometheus.GaugeVec
	circuit    *prometheus.GaugeVec
	events     *prometheus.CounterVec
}

func newSenderMetrics(reg *prometheus.Registry) senderMetrics {
	m := senderMetrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engagehub_deliveries_total"}, []string{"subscription", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "engagehub_delivery_attempt_duration_seconds",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}, []string{"subscription"}),
		lag:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "engagehub_sender_lag"}, []string{"subscription"}),
		circuit: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "engagehub_circuit_state"}, []string{"subscription"}),
		events:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engagehub_fanout_events_total"}, []string{"topic"}),
	}
	reg.MustRegister(m.deliveries, m.duration, m.lag, m.circuit, m.events)
	return m
}

func TestOverviewFiguresAreRatesOverTheWindowFromTheProcessMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := newSenderMetrics(reg)
	clk := newClock()
	r := newRates(reg, clk.now)
	m.deliveries.WithLabelValues("pos", "delivered").Add(1000) // before the window: not counted
	r.sample()
	clk.advance(10 * time.Second)
	m.deliveries.WithLabelValues("pos", "delivered").Add(90)
	m.deliveries.WithLabelValues("pos", "retry").Add(8)
	m.deliveries.WithLabelValues("pos", "dead_letter").Add(2)
	for i := 0; i < 99; i++ {
		m.duration.WithLabelValues("pos").Observe(0.002)
	}
	m.duration.WithLabelValues("pos").Observe(0.5)
	m.lag.WithLabelValues("pos").Set(42)
	m.circuit.WithLabelValues("pos").Set(2)
	m.events.WithLabelValues("engage.contact.created").Add(50)
	subs, topics := r.current()
	pos := subs["pos"]
	tests := []struct {
		name      string
		got, want float64
	}{
		{"delivered/s", pos.Delivered, 9},
		{"failed/s", pos.Failed, 1},
		{"success", pos.Success, 0.9},
		{"lag", pos.Lag, 42},
		{"p99 ms (bucket bound)", pos.P99, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if math.Abs(tt.got-tt.want) > 1e-9 {
				t.Fatalf("%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
	if pos.Circuit != "open" {
		t.Fatalf("circuit = %q, want open", pos.Circuit)
	}
	if len(topics) != 1 || topics[0].Topic != "engage.contact.created" || topics[0].Rate != 5 {
		t.Fatalf("topics = %+v, want engage.contact.created at 5/s (a series new in the window counts from 0)", topics)
	}
}

func TestOverviewPageShowsEverySubscriptionWithItsState(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	_, _ = tc.ops.DisableSubscription(t.Context(), "crm", "410 Gone from the endpoint")
	b := newBrowser(t, tc.srv)
	b.signIn(adminToken)
	for _, path := range []string{"/console/", "/console/fragments/overview"} {
		_, _, page := b.get(path)
		for _, want := range []string{">pos<", ">crm<", "410 Gone from the endpoint", "enabled", "disabled"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
	}
}

// Gathering every subscription's series costs in proportion to the
// subscriptions: the sampler runs only while someone reads the figures.
func TestRatesAreSampledOnlyWhileTheConsoleIsWatched(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := newSenderMetrics(reg)
	clk := newClock()
	r := newRates(reg, clk.now)
	if r.watched() {
		t.Fatal("watched before any page read the figures")
	}
	m.deliveries.WithLabelValues("pos", "delivered").Add(10)
	r.current() // a page: the baseline is now
	if !r.watched() {
		t.Fatal("not watched right after a page read the figures")
	}
	clk.advance(10 * time.Second)
	m.deliveries.WithLabelValues("pos", "delivered").Add(20)
	if subs, _ := r.current(); subs["pos"].Delivered != 2 {
		t.Fatalf("delivered/s = %v, want 2 (20 over the 10 s since the first page)", subs["pos"].Delivered)
	}
	clk.advance(rateWindow + time.Second)
	if r.watched() {
		t.Fatal("still watched a window after the last page")
	}
}
