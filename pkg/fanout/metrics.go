package fanout

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// metrics are the role's Prometheus series.
type metrics struct {
	events       *prometheus.CounterVec
	copies       *prometheus.CounterVec
	decodeErrors *prometheus.CounterVec
	lag          *prometheus.GaugeVec
	batchWrite   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_fanout_events_total", Help: "Event records fanned out, by event topic.",
		}, []string{"topic"}),
		copies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_fanout_copies_total", Help: "Copies written (acknowledged), by subscription.",
		}, []string{"subscription"}),
		decodeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_fanout_decode_errors_total", Help: "Copies skipped because the event could not be turned into JSON, by subscription.",
		}, []string{"subscription"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "engagehub_fanout_lag", Help: "Records behind the high watermark after the last committed batch, by event topic and partition.",
		}, []string{"topic", "partition"}),
		batchWrite: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "engagehub_fanout_batch_write_seconds", Help: "Time to write (acks=all) every copy of one batch.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.copies, m.decodeErrors, m.lag, m.batchWrite)
	}
	return m
}

// committed records what a committed batch did.
func (m *metrics) committed(batch []kafka.Message, copies map[string]int) {
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
	for sub, n := range copies {
		m.copies.WithLabelValues(sub).Add(float64(n))
	}
}
