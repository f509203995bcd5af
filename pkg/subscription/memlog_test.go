package subscription

import (
	"context"
	"sync"
)

// memTopic is an in-memory changelog shared by the memLogs of several
// simulated instances.
type memTopic struct {
	mu      sync.Mutex
	records [][2][]byte
	changed chan struct{}
}

func newMemTopic() *memTopic { return &memTopic{changed: make(chan struct{})} }

func (t *memTopic) append(key, value []byte) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.records = append(t.records, [2][]byte{key, value})
	close(t.changed)
	t.changed = make(chan struct{})
	return len(t.records)
}

func (t *memTopic) opener() Opener {
	return func(ctx context.Context, apply func(key, value []byte)) (Log, error) {
		l := &memLog{topic: t, apply: apply}
		l.catchUp()
		return l, nil
	}
}

// memLog is one instance's view of a memTopic.
type memLog struct {
	topic *memTopic
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
