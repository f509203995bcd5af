package fanout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/filter"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
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
	named          map[string]bool // topics ensured by ensureNamed (dead letters)
}

func newTopicCache(c TopicCreator, deliveryPrefix string, partitions int) *topicCache {
	return &topicCache{creator: c, deliveryPrefix: deliveryPrefix, partitions: partitions, version: ^uint64(0), ensured: map[string]bool{}, named: map[string]bool{}}
}

// ensureNamed creates the topics not ensured by an earlier call.
func (c *topicCache) ensureNamed(ctx context.Context, topics []string) error {
	var missing []kafka.TopicSpec
	for _, t := range topics {
		if !c.named[t] {
			missing = append(missing, kafka.TopicSpec{Name: t})
		}
	}
	if len(missing) == 0 || c.creator == nil {
		return nil
	}
	if err := c.creator.EnsureTopics(ctx, missing...); err != nil {
		return fmt.Errorf("fanout: create dead-letter topics: %w", err)
	}
	for _, s := range missing {
		c.named[s.Name] = true
	}
	return nil
}

// dlqTopics lists the dead-letter topics msgs write to.
func dlqTopics(msgs []kafka.Message, prefix string) []string {
	var out []string
	for _, m := range msgs {
		if strings.HasPrefix(m.Topic, prefix) && !slices.Contains(out, m.Topic) {
			out = append(out, m.Topic)
		}
	}
	return out
}

// missing returns the topics of snap's enabled subscriptions not ensured
// yet (none when snap's version was handled already).
func (c *topicCache) missing(snap *subscription.Snapshot) []kafka.TopicSpec {
	if snap.Version() == c.version || c.creator == nil {
		return nil
	}
	var out []kafka.TopicSpec
	for _, sub := range snap.Subscriptions() {
		if topic := destinationTopic(sub, c.deliveryPrefix); sub.Enabled && !c.ensured[topic] {
			out = append(out, destinationSpec(sub, c.deliveryPrefix, c.partitions))
		}
	}
	return out
}

// created records that specs, the topics missing for snap, exist now:
// snap's version is handled. Topics of subscriptions that left the
// snapshot are forgotten (a re-created subscription's topic is ensured
// again: the reconciler may have deleted it meanwhile).
func (c *topicCache) created(snap *subscription.Snapshot, specs []kafka.TopicSpec) {
	if snap.Version() == c.version || c.creator == nil {
		return // handled: no per-batch walk of every subscription
	}
	for _, s := range specs {
		c.ensured[s.Name] = true
	}
	want := map[string]bool{}
	for _, sub := range snap.Subscriptions() {
		want[destinationTopic(sub, c.deliveryPrefix)] = true
	}
	for topic := range c.ensured {
		if !want[topic] {
			delete(c.ensured, topic)
		}
	}
	c.version = snap.Version()
}

// creation is topics being created in the background while fan-out
// writes the copies whose topics exist.
type creation struct {
	topics map[string]bool
	done   chan error
}

// startCreating creates specs in the background.
func (c *topicCache) startCreating(ctx context.Context, specs []kafka.TopicSpec) *creation {
	cr := &creation{topics: make(map[string]bool, len(specs)), done: make(chan error, 1)}
	for _, s := range specs {
		cr.topics[s.Name] = true
	}
	go func() { cr.done <- c.creator.EnsureTopics(ctx, specs...) }()
	return cr
}

// wait returns once the topics exist, or the error that kept them from it.
func (cr *creation) wait() error {
	if err := <-cr.done; err != nil {
		return fmt.Errorf("fanout: create destination topics: %w", err)
	}
	return nil
}

// split divides msgs, in order, into those for topics that exist and
// those for the topics being created.
func (cr *creation) split(msgs []kafka.Message) (ready, pending []kafka.Message) {
	for _, m := range msgs {
		if cr.topics[m.Topic] {
			pending = append(pending, m)
		} else {
			ready = append(ready, m)
		}
	}
	return ready, pending
}

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
	programs       *programs
	version        uint64
	bySub          map[*subscription.Subscription]*target
	byType         map[event.Type]typeTargets
}

// typeTargets are the targets wanting one type and what they need decoded
// of its events.
type typeTargets struct {
	targets []*target
	proj    schema.Projection
}

type target struct {
	sub    *subscription.Subscription
	topic  string
	header kafka.Header
	filter *compiled // nil: every event
	// What the current batch did, by outcome.
	n, rejected, failed, deadLetters int
}

func (tg *target) skip(v verdict) {
	if v == reject {
		tg.rejected++
	} else {
		tg.failed++
	}
}

func newTargets(deliveryPrefix string, progs *programs) *targets {
	return &targets{deliveryPrefix: deliveryPrefix, version: ^uint64(0), programs: progs}
}

// load forgets the cache when snap differs from the last one loaded.
func (t *targets) load(snap *subscription.Snapshot) {
	if snap.Version() != t.version || t.bySub == nil {
		t.version = snap.Version()
		t.bySub, t.byType = map[*subscription.Subscription]*target{}, map[event.Type]typeTargets{}
		t.programs.prune()
	}
}

// match returns the targets of the subscriptions of snap wanting typ,
// and what of its events they need decoded. Only catalog types are
// cached: other types are whatever was sent.
func (t *targets) match(snap *subscription.Snapshot, typ event.Type) ([]*target, schema.Projection) {
	if tt, ok := t.byType[typ]; ok {
		return tt.targets, tt.proj
	}
	subs := snap.Match(typ)
	tgs := make([]*target, len(subs))
	for i, sub := range subs {
		tgs[i] = t.get(sub)
	}
	progs := make([]*compiled, len(tgs))
	for i, tg := range tgs {
		progs[i] = tg.filter
	}
	tt := typeTargets{targets: tgs, proj: projection(subs, progs)}
	if typ.Known() {
		t.byType[typ] = tt
	}
	return tt.targets, tt.proj
}

// projection is the union of what subs (with their compiled filters
// progs) need decoded: the payload fields their filters read, and Raw for
// json copies and payload.unknown.
func projection(subs []*subscription.Subscription, progs []*compiled) schema.Projection {
	var fields []string
	var all, raw bool
	var needs []filter.Needs
	for i, sub := range subs {
		d := sub.Destination
		raw = raw || !d.IsWebhook() && d.Format == subscription.FormatJSON
		if progs[i] == nil || progs[i].prg == nil {
			continue
		}
		n := progs[i].prg.Needs()
		fields, all, raw = append(fields, n.Fields...), all || n.All, raw || n.Unknown
		needs = append(needs, n)
	}
	return schema.NewProjection(fields, all, raw).WithEntries(entries(needs))
}

// entries are the map entries the filters read: a map field's keys when
// every filter reading it reads it only at constant keys.
func entries(needs []filter.Needs) map[string][]string {
	out, whole := map[string][]string{}, map[string]bool{}
	for _, n := range needs {
		for _, f := range n.Fields {
			if keys, ok := n.Entries[f]; ok {
				out[f] = append(out[f], keys...)
			} else {
				whole[f] = true
			}
		}
	}
	for f := range whole {
		delete(out, f)
	}
	return out
}

func (t *targets) get(sub *subscription.Subscription) *target {
	tg, ok := t.bySub[sub]
	if !ok {
		tg = &target{sub: sub, topic: destinationTopic(sub, t.deliveryPrefix), header: kafka.Header{Key: event.HeaderSubscription, Value: []byte(sub.ID)},
			filter: t.programs.get(sub)}
		t.bySub[sub] = tg
	}
	return tg
}

// counts returns what each subscription got since the last call, by
// subscription id.
func (t *targets) counts() map[string]outcomes {
	out := map[string]outcomes{}
	for _, tg := range t.bySub {
		if o := (outcomes{copies: tg.n, rejected: tg.rejected, failed: tg.failed, deadLetters: tg.deadLetters}); o != (outcomes{}) {
			out[tg.sub.ID] = out[tg.sub.ID].add(o)
		}
	}
	t.resetCounts()
	return out
}

// resetCounts starts counting a batch again (a retried one).
func (t *targets) resetCounts() {
	for _, tg := range t.bySub {
		tg.n, tg.rejected, tg.failed, tg.deadLetters = 0, 0, 0, 0
	}
}

// deadLettered reports whether the batch counted a dead letter.
func (t *targets) deadLettered() bool {
	for _, tg := range t.bySub {
		if tg.deadLetters > 0 {
			return true
		}
	}
	return false
}

// outcomes are what one subscription got of a batch.
type outcomes struct {
	copies, rejected, failed, deadLetters int
}

func (o outcomes) add(p outcomes) outcomes {
	return outcomes{o.copies + p.copies, o.rejected + p.rejected, o.failed + p.failed, o.deadLetters + p.deadLetters}
}
