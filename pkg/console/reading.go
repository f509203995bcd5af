package console

import (
	"math"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// reading is one sample of the metrics the overview shows.
type reading struct {
	at     time.Time
	subs   map[string]subReading
	topics map[string]topicReading
}

type subReading struct {
	delivered, failed float64
	lag, circuit      float64
	count             float64       // observations of the latency histogram
	buckets           []*dto.Bucket // cumulative, from the latency histogram
}

type topicReading struct{ events, lag float64 }

// read gathers the registry into a reading; a gather error leaves the
// series it could not read out (the overview shows what there is).
func (r *rates) read() reading {
	cur := reading{at: r.now(), subs: map[string]subReading{}, topics: map[string]topicReading{}}
	if r.g == nil {
		return cur
	}
	families, _ := r.g.Gather()
	for _, f := range families {
		for _, m := range f.GetMetric() {
			cur.add(f.GetName(), m)
		}
	}
	return cur
}

func (cur *reading) add(name string, m *dto.Metric) {
	switch name {
	case "engagehub_deliveries_total":
		s := cur.subs[label(m, "subscription")]
		switch label(m, "outcome") {
		case "delivered":
			s.delivered += m.GetCounter().GetValue()
		case "retry", "dead_letter", "disable":
			s.failed += m.GetCounter().GetValue()
		}
		cur.subs[label(m, "subscription")] = s
	case "engagehub_delivery_attempt_duration_seconds":
		s := cur.subs[label(m, "subscription")]
		s.buckets, s.count = m.GetHistogram().GetBucket(), float64(m.GetHistogram().GetSampleCount())
		cur.subs[label(m, "subscription")] = s
	case "engagehub_sender_lag", "engagehub_circuit_state":
		s := cur.subs[label(m, "subscription")]
		if name == "engagehub_sender_lag" {
			s.lag = m.GetGauge().GetValue()
		} else {
			s.circuit = m.GetGauge().GetValue()
		}
		cur.subs[label(m, "subscription")] = s
	case "engagehub_fanout_events_total", "engagehub_fanout_lag":
		t := cur.topics[label(m, "topic")]
		if name == "engagehub_fanout_lag" {
			t.lag += m.GetGauge().GetValue()
		} else {
			t.events += m.GetCounter().GetValue()
		}
		cur.topics[label(m, "topic")] = t
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// since computes a subscription's figures between base and s.
func (s subReading) since(base subReading, secs float64, window time.Duration) SubStats {
	d, f := s.delivered-base.delivered, s.failed-base.failed
	if secs <= 0 { // no baseline yet: totals since start
		d, f, secs = s.delivered, s.failed, 0
	}
	st := SubStats{Delivered: perSecond(d, secs), Failed: perSecond(f, secs), Success: -1,
		Lag: s.lag, P99: p99(s, base), Circuit: circuitName(s.circuit), Window: window}
	if d+f > 0 {
		st.Success = d / (d + f)
	}
	return st
}

// p99 is the upper bound of the bucket holding the 99th percentile of the
// observations between base and cur, in ms (-1 when there are none).
// When it lies past the last bucket it is +Inf.
func p99(cur, base subReading) float64 {
	total := cur.count
	same := len(base.buckets) == len(cur.buckets)
	if same {
		total -= base.count
	}
	if total <= 0 {
		return -1
	}
	for i, b := range cur.buckets {
		c := float64(b.GetCumulativeCount())
		if same {
			c -= float64(base.buckets[i].GetCumulativeCount())
		}
		if c >= 0.99*total {
			return b.GetUpperBound() * 1000
		}
	}
	return math.Inf(1)
}

func circuitName(v float64) string {
	switch v {
	case 1:
		return "half-open"
	case 2:
		return "open"
	default:
		return "closed"
	}
}
