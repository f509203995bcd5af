package delivery

import (
	"context"
	"fmt"
	"slices"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// KafkaBroker is the Broker over pkg/kafka: group readers and topic admin.
type KafkaBroker struct {
	client *kafka.Client
	opts   kafka.ReaderOptions
}

// NewKafkaBroker returns a Broker reading through client with opts (keep
// QueueCapacity modest: it multiplies by the number of subscriptions).
func NewKafkaBroker(client *kafka.Client, opts kafka.ReaderOptions) *KafkaBroker {
	return &KafkaBroker{client: client, opts: opts}
}

// Open ensures topic and joins group on it.
func (b *KafkaBroker) Open(ctx context.Context, topic, group string) (Source, error) {
	if err := b.Ensure(ctx, topic); err != nil {
		return nil, err
	}
	return b.client.NewGroupReader(group, []string{topic}, b.opts), nil
}

// Ensure creates topic if it does not exist.
func (b *KafkaBroker) Ensure(ctx context.Context, topic string) error {
	if err := b.client.EnsureTopics(ctx, kafka.TopicSpec{Name: topic}); err != nil {
		return fmt.Errorf("delivery: ensure %s: %w", topic, err)
	}
	return nil
}

// Pending sums, over topic's partitions, the records after group's committed
// offset (or after the first offset when nothing is committed).
func (b *KafkaBroker) Pending(ctx context.Context, topic, group string) (int64, error) {
	names, err := b.client.Topics(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("delivery: list %s: %w", topic, err)
	}
	if !slices.Contains(names, topic) {
		return 0, nil
	}
	ends, err := b.client.Ends(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("delivery: ends of %s: %w", topic, err)
	}
	committed, err := b.client.GroupOffsets(ctx, group, topic)
	if err != nil {
		return 0, fmt.Errorf("delivery: offsets of %s on %s: %w", group, topic, err)
	}
	var n int64
	for _, e := range ends {
		from := e.First
		if c, ok := committed[e.Partition]; ok && c > from {
			from = c
		}
		n += max(0, e.Next-from)
	}
	return n, nil
}
