package kafka

import (
	"context"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"go.uber.org/zap"
)

// leadersTTL is how long partition leaders are trusted without an error.
const leadersTTL = 30 * time.Second

// leaders caches which broker leads each owned partition. It belongs to the
// fetch loop (no locking, no GroupConsumer lock held while it looks up); an
// error from a broker invalidates it.
type leaders struct {
	gc      *GroupConsumer
	byPart  map[TopicPartition]int
	expires time.Time
	missed  time.Time // last failed lookup: not retried more than once a second
}

func (l *leaders) invalidate() { l.expires = time.Time{} }

// ensure refreshes the cache when it is stale or misses one of tps (at
// most once a second after a failed lookup).
func (l *leaders) ensure(ctx context.Context, tps []TopicPartition) {
	now := time.Now()
	fresh := now.Before(l.expires)
	for _, tp := range tps {
		if _, ok := l.byPart[tp]; !ok {
			fresh = false
			break
		}
	}
	if fresh || now.Sub(l.missed) < time.Second {
		return
	}
	l.refresh(ctx, now)
}

// get returns tp's leader as last looked up.
func (l *leaders) get(tp TopicPartition) (int, bool) {
	id, ok := l.byPart[tp]
	return id, ok
}

func (l *leaders) refresh(ctx context.Context, now time.Time) {
	topics := map[string]bool{}
	for _, tp := range l.gc.Owned() {
		topics[tp.Topic] = true
	}
	names := make([]string, 0, len(topics))
	for t := range topics {
		names = append(names, t)
	}
	mctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	md, err := l.gc.c.admin.Metadata(mctx, &kafkago.MetadataRequest{Topics: names})
	if err != nil {
		l.missed = now
		l.gc.log.Warn("partition leaders unknown", zap.Error(err))
		return
	}
	l.byPart = make(map[TopicPartition]int, len(names))
	for _, t := range md.Topics {
		for _, p := range t.Partitions {
			if p.Error == nil && p.Leader.Host != "" {
				l.byPart[TopicPartition{t.Name, p.ID}] = p.Leader.ID
			}
		}
	}
	l.expires = now.Add(leadersTTL)
}
