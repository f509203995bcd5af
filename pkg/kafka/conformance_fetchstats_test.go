package kafka_test

import (
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

func TestConformanceFetchStatsCountWhatTheBrokerIsAskedFor(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 3, 2)
	group := kafkatest.Topic(t, "group")
	values := produce(t, c, topics, 5, "a")

	r := newRecorder()
	runConsumer(t, c, group, topics, r)
	eventually(t, 60*time.Second, "every record consumed", func() bool { d, _ := r.count(); return d == len(values) })
	got := c.FetchStats()[group]
	if got.Requests < 1 || got.WithRecords < 6 || got.Partitions < got.WithRecords || got.Partitions < got.Requests {
		t.Fatalf("after reading 6 partitions with records: %+v, want ≥ 1 request, ≥ 6 partitions with records, partitions ≥ both", got)
	}

	// At rest every fetch (MaxWait 200ms) asks for the 6 partitions and
	// gets nothing: only the partitions without records grow.
	eventually(t, 30*time.Second, "fetches at rest counted as partitions without records", func() bool {
		now := c.FetchStats()[group]
		return now.Requests > got.Requests && now.Partitions-now.WithRecords >= got.Partitions-got.WithRecords+6
	})
	if now := c.FetchStats()[group]; now.WithRecords != got.WithRecords {
		t.Fatalf("partitions with records grew at rest: %d → %d", got.WithRecords, now.WithRecords)
	}
}
