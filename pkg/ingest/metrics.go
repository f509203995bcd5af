package ingest

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/engagehub/engagehub/pkg/event"
)

// Doors label where a request came in.
const (
	doorEngage = "engage"
	doorAPI    = "api"
)

// metrics are ingest's Prometheus series.
type metrics struct {
	requests     *prometheus.CounterVec
	bytes        *prometheus.CounterVec
	unrecognized prometheus.Counter
	write        *prometheus.HistogramVec
	duplicates   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, b *budget) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_ingest_requests_total",
			Help: "Ingest requests by door (engage|api), outcome and event type (per event when accepted).",
		}, []string{"door", "outcome", "event_type"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "engagehub_ingest_bytes_total",
			Help: "Request body bytes read by ingest, by door.",
		}, []string{"door"}),
		unrecognized: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "engagehub_ingest_unrecognized_total",
			Help: "Events of a type outside the catalog, written raw to the unrecognized topic.",
		}),
		write: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "engagehub_kafka_write_seconds",
			Help:    "Time from ingest's WriteMessages call to Kafka's acks=all acknowledgement (or failure), by door.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"door"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "engagehub_ingest_duplicates_total",
			Help: "Engage webhooks whose message id was already written, answered 2xx without writing.",
		}),
	}
	bodies := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "engagehub_ingest_bodies_in_flight",
		Help: "Ingest requests being read or processed, holding a share of ingest.max_in_flight_bytes.",
	}, func() float64 { return float64(b.bodies.Load()) })
	held := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "engagehub_ingest_body_bytes_in_flight",
		Help: "Request-body buffer bytes ingest requests hold, bounded by ingest.max_in_flight_bytes.",
	}, func() float64 { return float64(b.used.Load()) })
	for _, c := range []prometheus.Collector{m.requests, m.bytes, m.unrecognized, m.write, m.duplicates, bodies, held} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// typeLabel bounds the event_type label to the catalog: anything else, which
// a caller controls, is counted as "_unrecognized".
func typeLabel(t event.Type) string {
	switch {
	case t == "":
		return ""
	case t.Known():
		return string(t)
	default:
		return "_unrecognized"
	}
}
