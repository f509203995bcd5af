package attemptindex

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/ops"
)

var (
	benchOnce  sync.Once
	benchIndex *Index
	benchBytes float64
)

// benchSetup indexes 1M attempts over 1,000 subscriptions once, measuring
// the heap the index holds.
func benchSetup() *Index {
	benchOnce.Do(func() {
		log := newMemLog()
		fillLog(log, 1_000_000, 1_000)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		x := New(DefaultConfig(), "attempts", log)
		for _, m := range log.order {
			x.Add(m)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		benchIndex, benchBytes = x, float64(after.HeapAlloc-before.HeapAlloc)
	})
	return benchIndex
}

// BenchmarkAttemptsPage is the attempts page of one subscription with 1,000
// subscriptions and 1M attempts indexed: pick the rows, read them back
// (from memory here; the Kafka read is BenchmarkReadOffsets), decode.
func BenchmarkAttemptsPage(b *testing.B) {
	x := benchSetup()
	cases := []struct {
		name string
		q    ops.AttemptQuery
	}{
		{"newest-50", ops.AttemptQuery{Subscription: "sub-421", Limit: 50}},
		{"failed-50", ops.AttemptQuery{Subscription: "sub-421", Outcome: ops.OutcomeFailed, Limit: 50}},
		{"contact-none", ops.AttemptQuery{Subscription: "sub-421", ContactID: "nobody", Limit: 50}},
		{"trace-event", ops.AttemptQuery{EventID: "ev-500421", Limit: 100}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := x.Attempts(context.Background(), tc.q); err != nil {
					b.Fatal(err)
				}
			}
			st := x.Stats()
			b.ReportMetric(float64(st.Entries), "entries")
			b.ReportMetric(benchBytes/float64(st.Entries), "heap-B/entry")
		})
	}
}

// BenchmarkAttemptsPageKafka is the same page read back from Kafka (the
// embedded broker, or ENGAGEHUB_TEST_KAFKA_BROKERS): 100,000 attempts of
// 1,000 subscriptions on 12 partitions. A page's Kafka cost depends on how
// many records its rows span (subscriptions per partition), not on the
// total: this is the 1M-attempt page's read.
func BenchmarkAttemptsPageKafka(b *testing.B) {
	c := kafkatest.Client(b)
	topic := kafkatest.Topic(b, "engagehub.attempts")
	if err := c.EnsureTopics(context.Background(), kafka.TopicSpec{Name: topic, Partitions: 12}); err != nil {
		b.Fatal(err)
	}
	produceAttempts(b, c, topic, 100_000, 1_000)
	x := follow(b, c, topic, 100_000)
	for _, q := range []ops.AttemptQuery{
		{Subscription: "sub-421", Limit: 50},
		{Subscription: "sub-420", Outcome: ops.OutcomeFailed, Limit: 50},
	} {
		b.Run(q.Subscription+"-"+q.Outcome, func(b *testing.B) {
			for b.Loop() {
				page, err := x.Attempts(context.Background(), q)
				if err != nil || len(page.Attempts) != 50 {
					b.Fatalf("%d rows, %v", len(page.Attempts), err)
				}
			}
		})
	}
}

// BenchmarkIndexAdd is the follower's cost per attempt record: decode the
// indexed fields and file the entry (paid once per delivery attempt by
// every instance serving the console).
func BenchmarkIndexAdd(b *testing.B) {
	log := newMemLog()
	fillLog(log, 10_000, 1_000)
	for i, m := range log.order { // as the sender writes them: request headers and the copy's place
		log.order[i].Value = append(m.Value[:len(m.Value)-1:len(m.Value)-1], []byte(`,"requestHeaders":{"content-type":"application/json","user-agent":"engagehub/1","webhook-id":"evt_2Qx7c1mJ0bQ8zZ3nKp","webhook-signature":"[redacted]","webhook-timestamp":"1764547200"},"topic":"engagehub.delivery.sub-421","partition":3,"offset":123456}`)...)
	}
	x := New(DefaultConfig(), "attempts", log)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if !x.Add(log.order[i%len(log.order)]) {
			b.Fatal("not indexed")
		}
		i++
	}
}
