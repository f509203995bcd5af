package fanout

import (
	"context"
	"strings"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// copies returns the copies of batch for the subscriptions of snap, in
// batch order, and how many each subscription gets. The copies and their
// headers come from f.buf.
func (f *Fanout) copies(ctx context.Context, snap *subscription.Snapshot, batch []kafka.Message) ([]kafka.Message, map[string]int) {
	out := f.buf.msgs[:0]
	for i := range batch {
		m := &batch[i]
		for _, tg := range f.targets.match(snap, f.eventType(m)) {
			headers := f.buf.headers(len(m.Headers) + 1)
			copy(headers, m.Headers)
			headers[len(m.Headers)] = tg.header
			c, ok := f.copyFor(ctx, tg, m, headers)
			if !ok {
				continue
			}
			out = append(out, c)
			tg.n++
		}
	}
	f.buf.msgs = out
	return out, f.targets.counts()
}

// eventType reads the event-type header, falling back to the topic name.
func (f *Fanout) eventType(m *kafka.Message) event.Type {
	for _, h := range m.Headers {
		if h.Key == event.HeaderEventType {
			if t, ok := f.types[string(h.Value)]; ok {
				return t // no copy of the header for a catalog type
			}
			return event.Type(h.Value)
		}
	}
	if m.Topic == f.unrecognized {
		return ""
	}
	return event.Type(strings.TrimPrefix(m.Topic, f.deps.EventPrefix))
}

// copyFor makes the copy of m for tg's subscription: same key, same value
// (or the envelope JSON for a json Kafka destination), to its destination
// topic;
// headers are m's plus the subscription header.
func (f *Fanout) copyFor(ctx context.Context, tg *target, m *kafka.Message, headers []kafka.Header) (kafka.Message, bool) {
	sub := tg.sub
	c := kafka.Message{Key: m.Key, Value: m.Value, Headers: headers, Topic: tg.topic}
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

// buffers hold the copies of the batch being written and their headers,
// reused from batch to batch once a write has succeeded (a failed write
// may still be in progress in the writer, so its memory is left to it).
type buffers struct {
	msgs   []kafka.Message
	chunks [][]kafka.Header
	chunk  int // index in chunks being carved
	used   int // headers taken from chunks[chunk]
}

// headerChunk is how many headers one allocation holds.
const headerChunk = 1 << 14

// headers returns n headers for the caller to fill, with capacity n, so
// appending to them never touches another copy's.
func (b *buffers) headers(n int) []kafka.Header {
	if b.chunk < len(b.chunks) && b.used+n > len(b.chunks[b.chunk]) {
		b.chunk, b.used = b.chunk+1, 0
	}
	if b.chunk == len(b.chunks) {
		b.chunks = append(b.chunks, make([]kafka.Header, max(headerChunk, n)))
	}
	h := b.chunks[b.chunk][b.used : b.used+n : b.used+n]
	b.used += n
	return h
}

// reuse makes the memory of the last batch available to the next.
func (b *buffers) reuse() {
	clear(b.msgs) // drop references to the batch's records
	b.msgs = b.msgs[:0]
	b.chunk, b.used = 0, 0
}

// drop forgets the memory of the last batch.
func (b *buffers) drop() { *b = buffers{} }
