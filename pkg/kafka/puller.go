package kafka

import (
	"context"
	"sync"
)

// Puller reads a GroupConsumer's records one at a time, in partition
// order, as a kafka-go Reader with a group does (Fetch, then Commit), for
// a consumer of a few busy topics that processes records in order
// (fan-out). It costs what a GroupConsumer costs, one membership and a few
// fetch requests per broker for all its partitions together, where a
// Reader runs a fetch loop, a connection and a buffer per partition.
//
// Fetched records wait in one queue of about Capacity records (one fetch
// response may overfill it); while it is full no partition is fetched.
type Puller struct {
	gc       *GroupConsumer
	capacity int

	mu     sync.Mutex
	queue  []Message // queue[head:] wait to be fetched
	head   int
	filled chan struct{} // signaled when records are queued
}

// NewPuller joins group over topics, holding about capacity records
// fetched ahead. Run it; the caller closes it.
func (c *Client) NewPuller(group string, topics []string, capacity int, opts ConsumerOptions) *Puller {
	gc := c.NewGroupConsumer(group, opts)
	gc.SetTopics(topics)
	return &Puller{gc: gc, capacity: max(1, capacity), filled: make(chan struct{}, 1)}
}

// Run consumes until ctx ends. Commits need it running: give it a context
// that outlives the last Commit.
func (p *Puller) Run(ctx context.Context) error { return p.gc.Run(ctx, p) }

// Close leaves the group.
func (p *Puller) Close() error { return p.gc.Close() }

// Fetch returns the next record without committing it, blocking until one
// arrives or ctx is done (then it returns ctx's error). After a rebalance
// a record already fetched may be fetched again (by this or another
// member): consumers deduplicate on event id.
func (p *Puller) Fetch(ctx context.Context) (Message, error) {
	for {
		if m, ok := p.pop(); ok {
			return m, nil
		}
		select {
		case <-p.filled:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

func (p *Puller) pop() (Message, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.head == len(p.queue) {
		return Message{}, false
	}
	m := p.queue[p.head]
	p.queue[p.head] = Message{}
	p.head++
	if p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
	}
	if len(p.queue)-p.head == p.capacity-1 {
		p.gc.Wake() // room again: fetch what was held back
	}
	return m, true
}

// Commit marks msgs processed: for each partition the group resumes after
// the highest offset among them. Partitions this member no longer owns are
// left out; an error (ErrNotMember while the group rebalances) is
// retriable by committing again.
func (p *Puller) Commit(_ context.Context, msgs ...Message) error {
	offsets := make(map[TopicPartition]int64, 4)
	for _, m := range msgs {
		tp := TopicPartition{Topic: m.Topic, Partition: m.Partition}
		if off, ok := offsets[tp]; !ok || m.Offset > off {
			offsets[tp] = m.Offset
		}
	}
	return p.gc.Commit(offsets)
}

// Assigned implements ConsumerHandler: nothing to rebuild.
func (p *Puller) Assigned(context.Context, []TopicPartition) {}

// Revoked implements ConsumerHandler: records of parts still queued are
// dropped; their new owner reads them.
func (p *Puller) Revoked(parts []TopicPartition) {
	gone := make(map[TopicPartition]bool, len(parts))
	for _, tp := range parts {
		gone[tp] = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	kept := p.queue[:0]
	for _, m := range p.queue[p.head:] {
		if !gone[TopicPartition{Topic: m.Topic, Partition: m.Partition}] {
			kept = append(kept, m)
		}
	}
	clear(p.queue[len(kept):])
	p.queue, p.head = kept, 0
}

// Ready implements ConsumerHandler: every partition while the queue has room.
func (p *Puller) Ready(TopicPartition) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.queue)-p.head < p.capacity
}

// Records implements ConsumerHandler: msgs join the queue.
func (p *Puller) Records(_ TopicPartition, msgs []Message) {
	p.mu.Lock()
	p.queue = append(p.queue, msgs...)
	p.mu.Unlock()
	select {
	case p.filled <- struct{}{}:
	default:
	}
}
