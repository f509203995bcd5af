package main

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

func TestFetchCollectorReportsEachGroupsRequestsAndPartitions(t *testing.T) {
	c, err := kafka.New(kafka.Config{}, []string{"127.0.0.1:1"}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	col := newFetchCollector(c)
	if n := testutil.CollectAndCount(col); n != 0 {
		t.Fatalf("%d series before any consumer, want 0", n)
	}
	c.NewGroupConsumer("engagehub-sender", kafka.ConsumerOptions{})
	want := `
# HELP engagehub_kafka_fetch_requests_total Fetch requests sent by this process's members of a consumer group.
# TYPE engagehub_kafka_fetch_requests_total counter
engagehub_kafka_fetch_requests_total{group="engagehub-sender"} 0
`
	if err := testutil.CollectAndCompare(col, strings.NewReader(want), "engagehub_kafka_fetch_requests_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(col, "engagehub_kafka_fetch_partitions_total"); n != 2 {
		t.Fatalf("%d partition series for one group, want 2 (records yes, no)", n)
	}
}
