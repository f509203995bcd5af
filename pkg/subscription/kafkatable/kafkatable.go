// Package kafkatable backs a subscription.Store with a compacted Kafka
// topic through pkg/kafka's Table, keeping package subscription free of
// Kafka. cmd/engagehub opens the Store with Opener(client, cfg.Topic).
package kafkatable

import (
	"context"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// Opener returns a subscription.Opener over topic (created compacted with
// one partition if missing). Records with an empty value are tombstones.
func Opener(client *kafka.Client, topic string) subscription.Opener {
	return func(ctx context.Context, apply func(key, value []byte)) (subscription.Log, error) {
		return client.OpenTable(ctx, topic, func(m kafka.Message) { apply(m.Key, m.Value) })
	}
}
