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
	spans, err := b.backlog(ctx, topic, group)
	var n int64
	for _, s := range spans {
		n += s.to - s.from
	}
	return n, err
}

// Uncommitted reads every record of topic after group's committed offsets up
// to the end present at the call (a Backlog).
func (b *KafkaBroker) Uncommitted(ctx context.Context, topic, group string, visit func(kafka.Message)) error {
	spans, err := b.backlog(ctx, topic, group)
	if err != nil {
		return err
	}
	for _, s := range spans {
		if err := readRange(ctx, b.client, topic, s.partition, s.from, s.to, visit); err != nil {
			return err
		}
	}
	return nil
}

// span is a partition's offsets [from, to).
type span struct {
	partition int
	from, to  int64
}

// backlog returns, per partition of topic with records group has not
// committed, their span; none when the topic does not exist.
func (b *KafkaBroker) backlog(ctx context.Context, topic, group string) ([]span, error) {
	names, err := b.client.Topics(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("delivery: list %s: %w", topic, err)
	}
	if !slices.Contains(names, topic) {
		return nil, nil
	}
	ends, err := b.client.Ends(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("delivery: ends of %s: %w", topic, err)
	}
	committed, err := b.client.GroupOffsets(ctx, group, topic)
	if err != nil {
		return nil, fmt.Errorf("delivery: offsets of %s on %s: %w", group, topic, err)
	}
	var out []span
	for _, e := range ends {
		from := e.First
		if c, ok := committed[e.Partition]; ok && c > from {
			from = c
		}
		if from < e.Next {
			out = append(out, span{partition: e.Partition, from: from, to: e.Next})
		}
	}
	return out, nil
}
