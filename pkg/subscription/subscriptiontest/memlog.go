// Package subscriptiontest provides an in-memory subscription.Log, so
// packages that use a subscription.Store (admin, delivery) test without
// Kafka. Several Stores opened on one Topic behave like instances sharing
// the compacted topic.
package subscriptiontest

import (
	"context"
	"sync"

	"github.com/engagehub/engagehub/pkg/subscription"
)

// Topic is an in-memory changelog shared by the Logs opened on it.
type Topic struct {
	mu      sync.Mutex
	records [][2][]byte
	changed chan struct{}
}

// NewTopic returns an empty topic.
func NewTopic() *Topic { return &Topic{changed: make(chan struct{})} }

// Records returns a copy of every record written, in order (key, value).
func (t *Topic) Records() [][2][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([][2][]byte(nil), t.records...)
}

func (t *Topic) append(key, value []byte) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.records = append(t.records, [2][]byte{key, value})
	close(t.changed)
	t.changed = make(chan struct{})
	return len(t.records)
}

// Opener opens a Log on t for subscription.Open.
func (t *Topic) Opener() subscription.Opener {
	return func(_ context.Context, apply func(key, value []byte)) (subscription.Log, error) {
		l := &memLog{topic: t, apply: apply}
		l.catchUp()
		return l, nil
	}
}

// memLog is one instance's view of a Topic.
type memLog struct {
	topic *Topic
	apply func(key, value []byte)
	mu    sync.Mutex
	next  int
}

func (l *memLog) catchUp() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.topic.mu.Lock()
	recs := l.topic.records[l.next:]
	l.topic.mu.Unlock()
	for _, r := range recs {
		l.apply(r[0], r[1])
		l.next++
	}
}

func (l *memLog) Put(_ context.Context, key, value []byte) error {
	l.topic.append(key, value)
	l.catchUp()
	return nil
}

func (l *memLog) Run(ctx context.Context) error {
	for {
		l.topic.mu.Lock()
		ch := l.topic.changed
		l.topic.mu.Unlock()
		l.catchUp()
		select {
		case <-ctx.Done():
			return nil
		case <-ch:
		}
	}
}

func (l *memLog) Close() error { return nil }
