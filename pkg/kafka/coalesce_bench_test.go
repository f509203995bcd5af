package kafka_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// BenchmarkConcurrentSingleWrites is ingest's shape: 64 callers, each
// writing one 512-byte event per call and waiting for its acknowledgment
// (acks=all), through kafka-go's Writer and through CoalescingWriter, in
// one run. On real Kafka: ENGAGEHUB_TEST_KAFKA_BROKERS=… go test -bench.
func BenchmarkConcurrentSingleWrites(b *testing.B) {
	c := kafkatest.Client(b)
	topic := kafkatest.Topic(b, "single")
	if err := c.EnsureTopics(context.Background(), kafka.TopicSpec{Name: topic, Partitions: 6}); err != nil {
		b.Fatal(err)
	}
	value := make([]byte, 512)
	for name, w := range map[string]interface {
		WriteMessages(context.Context, ...kafka.Message) error
	}{"Writer": c.NewWriter(kafka.WriterOptions{BatchSize: 128}), "CoalescingWriter": c.NewCoalescingWriter(kafka.WriterOptions{})} {
		b.Run(name, func(b *testing.B) {
			b.SetParallelism(32) // × GOMAXPROCS (2 here) = 64 callers
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					key := []byte("contact-" + strconv.Itoa(i%1000))
					if err := w.WriteMessages(context.Background(), kafka.Message{Topic: topic, Key: key, Value: value}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}
