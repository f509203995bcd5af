package kafka_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// A write of several MiB to one partition — what fan-out does with a
// backlog — must be split into batches the broker accepts (message.max.bytes
// defaults to 1 MiB), not refused with MESSAGE_TOO_LARGE.
func TestWriteLargerThanABrokerBatchIsSplit(t *testing.T) {
	client := kafkatest.Client(t)
	for name, w := range writers(client, kafka.WriterOptions{BatchSize: 5000}) {
		t.Run(name, func(t *testing.T) {
			defer w.Close()
			testSplit(t, client, w)
		})
	}
}

func testSplit(t *testing.T, client *kafka.Client, w interface {
	WriteMessages(context.Context, ...kafka.Message) error
}) {
	ctx := ctxFor(t, 60*time.Second)
	topic := kafkatest.Topic(t, "size")
	if err := client.EnsureTopics(ctx, kafka.TopicSpec{Name: topic, Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	value := bytes.Repeat([]byte("x"), 1500)
	msgs := make([]kafka.Message, 3000) // ~4.5 MB, one key, one partition
	for i := range msgs {
		msgs[i] = kafka.Message{Topic: topic, Key: []byte("one-contact"), Value: value}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("write 3000 × 1.5 KB to one partition: %v", err)
	}
	ends, err := client.Ends(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if got := ends[0].Next - ends[0].First; got != 3000 {
		t.Fatalf("records on the partition = %d, want 3000", got)
	}
}
