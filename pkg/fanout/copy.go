package fanout

import (
	"context"
	"strings"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// Header names fan-out reads and adds.
const (
	HeaderEventType    = "event-type"
	HeaderEventID      = "event-id"
	HeaderSubscription = "subscription"
)

// copies returns the copies of batch for the subscriptions of snap, in
// batch order, and how many each subscription gets. The headers of a
// record's copies share one allocation.
func (f *Fanout) copies(ctx context.Context, snap *subscription.Snapshot, batch []kafka.Message) ([]kafka.Message, map[string]int) {
	out := make([]kafka.Message, 0, len(batch))
	counts := map[string]int{}
	for i := range batch {
		m := &batch[i]
		subs := snap.Match(f.eventType(m))
		if len(subs) == 0 {
			continue
		}
		n := len(m.Headers) + 1
		slab := make([]kafka.Header, n*len(subs))
		for j, sub := range subs {
			headers := slab[j*n : (j+1)*n : (j+1)*n]
			copy(headers, m.Headers)
			headers[n-1] = f.targets.header(sub)
			c, ok := f.copyFor(ctx, sub, m, headers)
			if !ok {
				continue
			}
			out = append(out, c)
			counts[sub.ID]++
		}
	}
	return out, counts
}

// eventType reads the event-type header, falling back to the topic name.
func (f *Fanout) eventType(m *kafka.Message) event.Type {
	for _, h := range m.Headers {
		if h.Key == HeaderEventType {
			return event.Type(h.Value)
		}
	}
	if m.Topic == f.unrecognized {
		return ""
	}
	return event.Type(strings.TrimPrefix(m.Topic, f.deps.EventPrefix))
}

// copyFor makes sub's copy of m: same key, same value (or the envelope
// JSON for a json Kafka destination), to sub's destination topic;
// headers are m's plus the subscription header.
func (f *Fanout) copyFor(ctx context.Context, sub *subscription.Subscription, m *kafka.Message, headers []kafka.Header) (kafka.Message, bool) {
	c := kafka.Message{Key: m.Key, Value: m.Value, Headers: headers, Topic: f.targets.topic(sub)}
	if sub.Destination.IsWebhook() {
		return c, true
	}
	if sub.Destination.Format != subscription.FormatJSON || m.Topic == f.unrecognized {
		return c, true // Avro as is; unrecognized events are already raw JSON
	}
	value, err := f.envelope(ctx, m.Value)
	if err != nil {
		f.metrics.decodeErrors.WithLabelValues(sub.ID).Inc()
		f.log.Error("skip copy: cannot decode event to JSON", zap.String("subscription", sub.ID),
			zap.String("topic", m.Topic), zap.Int("partition", m.Partition), zap.Int64("offset", m.Offset), zap.Error(err))
		return kafka.Message{}, false
	}
	c.Value = value
	return c, true
}

func (f *Fanout) envelope(ctx context.Context, value []byte) ([]byte, error) {
	if f.deps.Decoder == nil {
		return nil, errNoDecoder
	}
	ev, err := f.deps.Decoder.Unmarshal(ctx, value)
	if err != nil {
		return nil, err
	}
	return ev.Raw, nil
}
