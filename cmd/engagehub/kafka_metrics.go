package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// fetchCollector reports what this process's consumer groups ask of the
// brokers: a fetch costs the broker a read of every partition asked for.
type fetchCollector struct {
	client     *kafka.Client
	requests   *prometheus.Desc
	partitions *prometheus.Desc
}

func newFetchCollector(c *kafka.Client) *fetchCollector {
	return &fetchCollector{client: c,
		requests: prometheus.NewDesc("engagehub_kafka_fetch_requests_total",
			"Fetch requests sent by this process's members of a consumer group.", []string{"group"}, nil),
		partitions: prometheus.NewDesc("engagehub_kafka_fetch_partitions_total",
			"Partitions asked for in fetch requests, by whether the answer held records: "+
				"records=\"no\" is the broker's work spent on partitions with nothing new.", []string{"group", "records"}, nil)}
}

func (f *fetchCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- f.requests
	ch <- f.partitions
}

func (f *fetchCollector) Collect(ch chan<- prometheus.Metric) {
	for group, s := range f.client.FetchStats() {
		ch <- prometheus.MustNewConstMetric(f.requests, prometheus.CounterValue, float64(s.Requests), group)
		ch <- prometheus.MustNewConstMetric(f.partitions, prometheus.CounterValue, float64(s.WithRecords), group, "yes")
		ch <- prometheus.MustNewConstMetric(f.partitions, prometheus.CounterValue, float64(s.Partitions-s.WithRecords), group, "no")
	}
}
