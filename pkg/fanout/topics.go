package fanout

import (
	"context"
	"errors"
	"fmt"

	"github.com/engagehub/engagehub/pkg/event"
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
	partitions     int // of delivery topics; 0: the cluster default
	version        uint64
	ensured        map[string]bool
}

func newTopicCache(c TopicCreator, deliveryPrefix string, partitions int) *topicCache {
	return &topicCache{creator: c, deliveryPrefix: deliveryPrefix, partitions: partitions, version: ^uint64(0), ensured: map[string]bool{}}
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
			missing = append(missing, destinationSpec(sub, c.deliveryPrefix, c.partitions))
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
// destinationSpec is the topic to create for sub: a delivery topic has
// partitions partitions, a Kafka destination the cluster's default.
func destinationSpec(sub *subscription.Subscription, deliveryPrefix string, partitions int) kafka.TopicSpec {
	spec := kafka.TopicSpec{Name: destinationTopic(sub, deliveryPrefix)}
	if sub.Destination.IsWebhook() {
		spec.Partitions = partitions
	}
	return spec
}

func destinationTopic(sub *subscription.Subscription, deliveryPrefix string) string {
	if sub.Destination.IsWebhook() {
		return deliveryPrefix + sub.ID
	}
	return sub.Destination.Topic
}

// targets caches, per subscription of the current snapshot, its
// destination topic and its subscription header, and per catalog type the
// targets wanting it, so copies do not build them one by one. Each target
// counts the copies of the batch being made. Only the writing goroutine
// uses it.
type targets struct {
	deliveryPrefix string
	version        uint64
	bySub          map[*subscription.Subscription]*target
	byType         map[event.Type][]*target
}

type target struct {
	sub    *subscription.Subscription
	topic  string
	header kafka.Header
	n      int // copies in the current batch
}

func newTargets(deliveryPrefix string) *targets {
	return &targets{deliveryPrefix: deliveryPrefix, version: ^uint64(0)}
}

// load forgets the cache when snap differs from the last one loaded.
func (t *targets) load(snap *subscription.Snapshot) {
	if snap.Version() != t.version || t.bySub == nil {
		t.version = snap.Version()
		t.bySub, t.byType = map[*subscription.Subscription]*target{}, map[event.Type][]*target{}
	}
}

// match returns the targets of the subscriptions of snap wanting typ.
// Only catalog types are cached: other types are whatever was sent.
func (t *targets) match(snap *subscription.Snapshot, typ event.Type) []*target {
	if tgs, ok := t.byType[typ]; ok {
		return tgs
	}
	subs := snap.Match(typ)
	tgs := make([]*target, len(subs))
	for i, sub := range subs {
		tgs[i] = t.get(sub)
	}
	if typ.Known() {
		t.byType[typ] = tgs
	}
	return tgs
}

func (t *targets) get(sub *subscription.Subscription) *target {
	tg, ok := t.bySub[sub]
	if !ok {
		tg = &target{sub: sub, topic: destinationTopic(sub, t.deliveryPrefix), header: kafka.Header{Key: event.HeaderSubscription, Value: []byte(sub.ID)}}
		t.bySub[sub] = tg
	}
	return tg
}

// counts returns the copies per subscription id since the last call.
func (t *targets) counts() map[string]int {
	out := map[string]int{}
	for _, tg := range t.bySub {
		if tg.n > 0 {
			out[tg.sub.ID] += tg.n
			tg.n = 0
		}
	}
	return out
}
