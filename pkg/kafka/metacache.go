package kafka

import (
	"context"
	"net"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol/metadata"
)

// metadataCache sits in front of a Writer's transport: kafka-go's Writer asks
// for a topic's metadata on every WriteMessages call (to count partitions),
// which costs a round trip through the transport's machinery per call. A
// one-topic answer without errors is reused for ttl; anything else passes
// through. Partition counts change rarely, and a stale count only delays
// the use of a new partition by ttl.
type metadataCache struct {
	next kafkago.RoundTripper
	ttl  time.Duration
	now  func() time.Time

	mu      sync.RWMutex
	entries map[string]cachedMetadata
}

type cachedMetadata struct {
	res     *metadata.Response
	expires time.Time
}

func newMetadataCache(next kafkago.RoundTripper, ttl time.Duration) *metadataCache {
	return &metadataCache{next: next, ttl: ttl, now: time.Now, entries: map[string]cachedMetadata{}}
}

// RoundTrip answers cacheable metadata requests from the cache.
func (c *metadataCache) RoundTrip(ctx context.Context, addr net.Addr, req kafkago.Request) (kafkago.Response, error) {
	mreq, ok := req.(*metadata.Request)
	if !ok || len(mreq.TopicNames) != 1 {
		return c.next.RoundTrip(ctx, addr, req)
	}
	topic := mreq.TopicNames[0]
	c.mu.RLock()
	e, hit := c.entries[topic]
	c.mu.RUnlock()
	if hit && c.now().Before(e.expires) {
		return e.res, nil
	}
	res, err := c.next.RoundTrip(ctx, addr, req)
	if err != nil {
		return res, err
	}
	if mres, ok := res.(*metadata.Response); ok && healthy(mres, topic) {
		c.mu.Lock()
		c.entries[topic] = cachedMetadata{res: mres, expires: c.now().Add(c.ttl)}
		c.mu.Unlock()
	}
	return res, nil
}

func healthy(res *metadata.Response, topic string) bool {
	for _, t := range res.Topics {
		if t.Name == topic {
			return t.ErrorCode == 0 && len(t.Partitions) > 0
		}
	}
	return false
}
