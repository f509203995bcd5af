package delivery

import (
	"context"
	"fmt"
	"slices"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// KafkaBroker is the Broker over pkg/kafka: topic admin and backlog reads.
type KafkaBroker struct {
	client *kafka.Client
}

// NewKafkaBroker returns a Broker over client.
func NewKafkaBroker(client *kafka.Client) *KafkaBroker {
	return &KafkaBroker{client: client}
}

// Ensure creates the topics that do not exist, in one request.
func (b *KafkaBroker) Ensure(ctx context.Context, partitions int, topics ...string) error {
	specs := make([]kafka.TopicSpec, len(topics))
	for i, t := range topics {
		specs[i] = kafka.TopicSpec{Name: t, Partitions: partitions}
	}
	if err := b.client.EnsureTopics(ctx, specs...); err != nil {
		return fmt.Errorf("delivery: ensure %d topics: %w", len(topics), err)
	}
	return nil
}

// Topics lists the topics named prefix*.
func (b *KafkaBroker) Topics(ctx context.Context, prefix string) ([]string, error) {
	return b.client.Topics(ctx, prefix)
}

// Uncommitted reads every record of topic after group's committed offsets up
// to the end present at the call.
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
