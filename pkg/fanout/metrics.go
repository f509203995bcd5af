package fanout

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// metrics are the role's Prometheus series.
type metrics struct {
	events      *prometheus.CounterVec
	copies      *prometheus.CounterVec
	skipped     *prometheus.CounterVec
	deadLetters *prometheus.CounterVec
	lag         *prometheus.GaugeVec
	batchWrite  prometheus.Histogram
	delay       prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_fanout_events_total", Help: "Event records fanned out, by event topic.",
		}, []string{"topic"}),
		copies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_fanout_copies_total", Help: "Copies written (acknowledged), by subscription.",
		}, []string{"subscription"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_fanout_skipped_total", Help: "Events of a subscription's types not copied to it, by subscription and reason: " +
				"filter (its filter is false), filter_error (its filter could not be evaluated).",
		}, []string{"subscription", "reason"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_fanout_dead_letters_total", Help: "Events dead-lettered by fan-out for a subscription (they could not be decoded for its filter or its JSON copy), by subscription.",
		}, []string{"subscription"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "engagehub_fanout_lag", Help: "Records behind the high watermark after the last committed batch, by event topic and partition.",
		}, []string{"topic", "partition"}),
		batchWrite: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "engagehub_fanout_batch_write_seconds", Help: "Time to write (acks=all) every copy of one batch.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "engagehub_fanout_delay_seconds", Help: "Time from an event record's write (its Kafka timestamp) until its copies were acknowledged: " +
				"the fan-out stage of the end-to-end latency.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.copies, m.skipped, m.deadLetters, m.lag, m.batchWrite, m.delay)
	}
	return m
}

// written records, for each event of batch, how long it took from its
// write to its copies' acknowledgment at now.
func (m *metrics) written(batch []kafka.Message, now time.Time) {
	for i := range batch {
		if t := batch[i].Time; !t.IsZero() {
			m.delay.Observe(max(now.Sub(t).Seconds(), 0))
		}
	}
}

// committed records what a committed batch did.
func (m *metrics) committed(batch []kafka.Message, copies map[string]outcomes) {
	events := map[string]int{}
	last := map[[2]string]int64{}
	for _, msg := range batch {
		events[msg.Topic]++
		last[[2]string{msg.Topic, strconv.Itoa(msg.Partition)}] = msg.HighWaterMark - msg.Offset - 1
	}
	for topic, n := range events {
		m.events.WithLabelValues(topic).Add(float64(n))
	}
	for tp, lag := range last {
		m.lag.WithLabelValues(tp[0], tp[1]).Set(float64(max(lag, 0)))
	}
	for sub, o := range copies {
		m.subscription(sub, o)
	}
}

func (m *metrics) subscription(sub string, o outcomes) {
	if o.copies > 0 {
		m.copies.WithLabelValues(sub).Add(float64(o.copies))
	}
	if o.rejected > 0 {
		m.skipped.WithLabelValues(sub, "filter").Add(float64(o.rejected))
	}
	if o.failed > 0 {
		m.skipped.WithLabelValues(sub, "filter_error").Add(float64(o.failed))
	}
	if o.deadLetters > 0 {
		m.deadLetters.WithLabelValues(sub).Add(float64(o.deadLetters))
	}
}
