package delivery

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the sender's Prometheus metrics, all labelled by subscription.
type Metrics struct {
	deliveries  *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	delay       prometheus.Histogram
	inFlight    *prometheus.GaugeVec
	retry       *prometheus.GaugeVec
	deadLetters *prometheus.CounterVec
	circuit     *prometheus.GaugeVec
	lag         *prometheus.GaugeVec
	disabled    *prometheus.CounterVec
	dropped     prometheus.Counter
	panics      *prometheus.CounterVec
}

// NewMetrics registers the sender's metrics with reg (nil: a private registry).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	sub := []string{"subscription"}
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engagehub_deliveries_total",
			Help: "Delivery attempts by outcome (delivered, retry, dead_letter, disable), and events a transformation cancelled (cancelled)."}, []string{"subscription", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "engagehub_delivery_attempt_duration_seconds",
			Help: "Latency of one webhook POST.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}, sub),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "engagehub_delivery_delay_seconds",
			Help: "Time from a delivery record's write by fan-out (its Kafka timestamp) until its first attempt is sent: the sender's fetch and queueing, " +
				"the last stage of the end-to-end latency before the webhook's own.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "engagehub_delivery_in_flight",
			Help: "Webhook requests in flight."}, sub),
		retry: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "engagehub_retry_pending",
			Help: "Records waiting in the retry-tier topics."}, sub),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engagehub_dead_letters_total",
			Help: "Events written to the dead-letter topic."}, sub),
		circuit: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "engagehub_circuit_state",
			Help: "Circuit breaker state: 0 closed, 1 half-open, 2 open."}, sub),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "engagehub_sender_lag",
			Help: "Records on the delivery topic not yet committed by the sender group."}, sub),
		disabled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engagehub_subscription_disabled_total",
			Help: "Subscriptions the sender disabled (410 Gone, or failing longer than sender.disable_after); never reset when the worker stops."}, sub),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engagehub_delivery_panics_total",
			Help: "Records whose handling panicked; each was dead-lettered with the panic as its reason."}, sub),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "engagehub_attempt_log_dropped_total",
			Help: "Attempt-log entries dropped because the log buffer was full."}),
	}
	reg.MustRegister(m.deliveries, m.duration, m.delay, m.inFlight, m.retry, m.deadLetters, m.circuit, m.lag, m.disabled, m.dropped, m.panics)
	return m
}

// forget removes a subscription's series when its worker stops for good.
func (m *Metrics) forget(id string) {
	l := prometheus.Labels{"subscription": id}
	m.deliveries.DeletePartialMatch(l)
	for _, v := range []*prometheus.GaugeVec{m.inFlight, m.retry, m.circuit, m.lag} {
		v.Delete(l)
	}
	m.duration.Delete(l)
	m.deadLetters.Delete(l)
}
