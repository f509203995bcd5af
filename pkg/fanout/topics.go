package fanout

import (
	"context"
	"errors"
	"fmt"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

var errNoDecoder = errors.New("fanout: no decoder configured for json destinations")

// topicCache remembers which destination topics of the current
// subscriptions exist, so fan-out creates a topic before its first copy
// and asks the cluster only when the subscriptions change.
type topicCache struct {
	creator        TopicCreator
	deliveryPrefix string
	version        uint64
	ensured        map[string]bool
}

func newTopicCache(c TopicCreator, deliveryPrefix string) *topicCache {
	return &topicCache{creator: c, deliveryPrefix: deliveryPrefix, version: ^uint64(0), ensured: map[string]bool{}}
}

// ensure creates the destination topics of snap's enabled subscriptions
// that were not ensured before. Topics of subscriptions that left the
// snapshot are forgotten (a re-created subscription's topic is ensured
// again: the reconciler may have deleted it meanwhile).
func (c *topicCache) ensure(ctx context.Context, snap *subscription.Snapshot) error {
	if snap.Version() == c.version || c.creator == nil {
		return nil
	}
	want := map[string]bool{}
	var missing []kafka.TopicSpec
	for _, sub := range snap.Subscriptions() {
		topic := destinationTopic(sub, c.deliveryPrefix)
		want[topic] = true
		if sub.Enabled && !c.ensured[topic] {
			missing = append(missing, kafka.TopicSpec{Name: topic})
		}
	}
	if err := c.creator.EnsureTopics(ctx, missing...); err != nil {
		return fmt.Errorf("fanout: create destination topics: %w", err)
	}
	for _, s := range missing {
		c.ensured[s.Name] = true
	}
	for topic := range c.ensured {
		if !want[topic] {
			delete(c.ensured, topic)
		}
	}
	c.version = snap.Version()
	return nil
}

// destinationTopic is where sub's copies go.
func destinationTopic(sub *subscription.Subscription, deliveryPrefix string) string {
	if sub.Destination.IsWebhook() {
		return deliveryPrefix + sub.ID
	}
	return sub.Destination.Topic
}
