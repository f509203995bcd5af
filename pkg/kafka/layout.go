package kafka

import (
	"context"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// topicLayout is a topic's partitions and their leaders, as last looked up.
type topicLayout struct {
	partitions []int
	leader     map[int]int
	expires    time.Time
}

// layoutTTL is how long a topic's partitions and leaders are trusted.
const layoutTTL = 10 * time.Second

// layoutsOf returns the layout of each of topics, looking up those not
// known or stale in one Metadata request: a batch for a thousand
// subscriptions' delivery topics costs one round trip, not a thousand.
func (w *BatchWriter) layoutsOf(ctx context.Context, topics map[string]bool) (map[string]topicLayout, error) {
	out := make(map[string]topicLayout, len(topics))
	var stale []string
	now := time.Now()
	w.mu.Lock()
	for t := range topics {
		l, ok := w.layout[t]
		if ok && now.Before(l.expires) {
			out[t] = l
		} else {
			stale = append(stale, t)
		}
	}
	w.mu.Unlock()
	if len(stale) == 0 {
		return out, nil
	}
	md, err := w.c.admin.Metadata(ctx, &kafkago.MetadataRequest{Topics: stale})
	if err != nil {
		return out, fmt.Errorf("metadata %s: %w", stale[0], err)
	}
	return out, w.learn(md.Topics, stale, out)
}

// learn keeps the layouts of the looked-up topics and adds them to out; a
// topic the broker did not describe, or described with an error or no
// partitions, is an error naming it.
func (w *BatchWriter) learn(described []kafkago.Topic, asked []string, out map[string]topicLayout) error {
	expires := time.Now().Add(layoutTTL)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range described {
		if t.Error != nil || len(t.Partitions) == 0 {
			continue
		}
		l := topicLayout{leader: make(map[int]int, len(t.Partitions)), expires: expires}
		for _, p := range t.Partitions {
			l.partitions = append(l.partitions, p.ID)
			l.leader[p.ID] = p.Leader.ID
		}
		w.layout[t.Name], out[t.Name] = l, l
	}
	for _, t := range asked {
		if _, ok := out[t]; !ok {
			return fmt.Errorf("metadata %s: %w", t, topicError(describedAs(described, t)))
		}
	}
	return nil
}

// describedAs is the broker's description of topic, if it gave one.
func describedAs(described []kafkago.Topic, topic string) []kafkago.Topic {
	for _, t := range described {
		if t.Name == topic {
			return []kafkago.Topic{t}
		}
	}
	return nil
}
