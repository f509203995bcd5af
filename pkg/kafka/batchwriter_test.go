package kafka

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// A write that includes a topic the broker does not have fails naming it,
// and writes nothing.
func TestBatchWriterNamesTheTopicItCannotFind(t *testing.T) {
	_, c := startEmbedded(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.EnsureTopics(ctx, TopicSpec{Name: "present"}); err != nil {
		t.Fatal(err)
	}
	w := c.NewBatchWriter(WriterOptions{})
	err := w.WriteMessages(ctx, Message{Topic: "present", Value: []byte("v")}, Message{Topic: "absent", Value: []byte("v")})
	if err == nil || !strings.Contains(err.Error(), "absent") || !errors.Is(err, kafkago.UnknownTopicOrPartition) {
		t.Fatalf("err = %v, want an unknown-topic error naming absent", err)
	}
	ends, err := c.Ends(ctx, "present")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ends {
		if e.Next != 0 {
			t.Fatalf("present got records (end %d), want none: no half write", e.Next)
		}
	}
}
