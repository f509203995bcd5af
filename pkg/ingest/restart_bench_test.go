package ingest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/secret"
)

// BenchmarkRestartToReadyOneMillionIDs is an ingest restart with a full
// window: the dedup topic holds 1,000,000 ids published over the last 24 h
// in 100,000 records (one record every 0.86 s, more records than the
// default one-second publish interval can make in a day). Each iteration
// starts an Ingest, which replays the topic, and stops it once ready;
// ms/restart is the restart-to-ready time once the broker answers (target:
// under 2 s). On the embedded broker by default, on Apache Kafka with
// ENGAGEHUB_TEST_KAFKA_BROKERS.
func BenchmarkRestartToReadyOneMillionIDs(b *testing.B) {
	const records, perRecord = 100_000, 10
	client := kafkatest.Client(b) // real Kafka when ENGAGEHUB_TEST_KAFKA_BROKERS is set
	topic := kafkatest.Topic(b, "dedup")
	publishWindow(b, client, topic, records, perRecord)
	cfg := DefaultConfig()
	cfg.Engage.Secrets = []secret.String{testSecret}
	b.ResetTimer()
	var took time.Duration
	for range b.N {
		fx := &fixture{}
		fx.build(b, cfg, &kafkatest.RecordingSink{}, Options{Now: time.Now, Journal: KafkaJournal(client, topic, 25*time.Hour, nil)})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- fx.in.Run(ctx) }()
		waitReady(b, fx.in)
		took += time.Since(start)
		if n := fx.in.Dedup().Len(); n != records*perRecord {
			b.Fatalf("window holds %d ids, want %d", n, records*perRecord)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "ms/restart")
}

// publishWindow writes records dedup records of perRecord distinct ids,
// spread evenly over the last 24 h, as replicas would have published them.
func publishWindow(b *testing.B, client *kafka.Client, topic string, records, perRecord int) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := client.EnsureTopics(ctx, kafka.TopicSpec{Name: topic, Partitions: 1}); err != nil {
		b.Fatal(err)
	}
	w := client.NewWriter(kafka.WriterOptions{BatchSize: 10_000, BatchTimeout: 10 * time.Millisecond})
	defer w.Close()
	start, step := time.Now().Add(-24*time.Hour+time.Minute), 24*time.Hour/time.Duration(records)
	batch := make([]kafka.Message, 0, 10_000)
	hashes := make([]uint64, perRecord)
	for i := range records {
		for j := range hashes {
			hashes[j] = IDHash("msg_" + strconv.Itoa(i*perRecord+j))
		}
		batch = append(batch, kafka.Message{Topic: topic, Key: []byte("old-replica"),
			Value: encodeHashes(hashes), Time: start.Add(time.Duration(i) * step)})
		if len(batch) == cap(batch) || i == records-1 {
			if err := w.WriteMessages(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
