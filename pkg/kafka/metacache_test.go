package kafka

import (
	"context"
	"net"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol/metadata"
)

type countingTransport struct {
	calls int
	code  int16
}

func (c *countingTransport) RoundTrip(_ context.Context, _ net.Addr, req kafkago.Request) (kafkago.Response, error) {
	c.calls++
	topic := req.(*metadata.Request).TopicNames[0]
	return &metadata.Response{Topics: []metadata.ResponseTopic{{
		Name: topic, ErrorCode: c.code, Partitions: []metadata.ResponsePartition{{}},
	}}}, nil
}

func TestMetadataCacheReusesHealthyAnswersUntilTTL(t *testing.T) {
	next := &countingTransport{}
	c := newMetadataCache(next, time.Second)
	now := time.Unix(0, 0)
	c.now = func() time.Time { return now }
	ask := func(topic string) {
		if _, err := c.RoundTrip(context.Background(), nil, &metadata.Request{TopicNames: []string{topic}}); err != nil {
			t.Fatal(err)
		}
	}
	ask("a")
	ask("a")
	ask("b")
	if next.calls != 2 {
		t.Fatalf("round trips = %d, want 2 (a once, b once)", next.calls)
	}
	now = now.Add(2 * time.Second)
	ask("a")
	if next.calls != 3 {
		t.Fatalf("round trips after ttl = %d, want 3", next.calls)
	}
	next.code = 3 // UNKNOWN_TOPIC_OR_PARTITION: never cached
	ask("c")
	ask("c")
	if next.calls != 5 {
		t.Fatalf("round trips for an erroring topic = %d, want 5", next.calls)
	}
}
