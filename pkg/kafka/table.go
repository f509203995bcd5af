package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Table is a compacted, single-partition topic read as a changelog: every
// instance replays it from the start, then follows it, handing each record
// to apply in offset order. Writers go through Put, which returns only once
// this instance has applied the write (read-your-writes), so the in-memory
// view built by apply is the only state there is.
type Table struct {
	client *Client
	topic  string
	apply  func(Message)
	writer *Writer

	mu      sync.Mutex
	next    int64         // offset of the next record to apply
	changed chan struct{} // closed and replaced whenever next moves
	reader  *Reader
}

// OpenTable ensures topic exists (compacted, one partition), replays it into
// apply, and returns once caught up with the records present at the call.
// Call Run to keep following it; apply is only ever called from one goroutine.
func (c *Client) OpenTable(ctx context.Context, topic string, apply func(Message)) (*Table, error) {
	if err := c.EnsureTopics(ctx, TopicSpec{Name: topic, Partitions: 1, Compacted: true}); err != nil {
		return nil, err
	}
	reader, err := c.NewPartitionReader(topic, 0, First, ReaderOptions{MaxWait: 100 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	t := &Table{
		client: c, topic: topic, apply: apply, reader: reader,
		writer:  c.NewWriter(WriterOptions{BatchTimeout: time.Millisecond}),
		changed: make(chan struct{}),
	}
	if err := t.catchUp(ctx); err != nil {
		_ = t.Close()
		return nil, err
	}
	return t, nil
}

// catchUp applies records until the table reaches the high watermark as of now.
func (t *Table) catchUp(ctx context.Context) error {
	ends, err := t.client.Ends(ctx, t.topic)
	if err != nil {
		return err
	}
	if len(ends) == 0 {
		return fmt.Errorf("kafka: table %s has no partition", t.topic)
	}
	t.mu.Lock()
	if t.next < ends[0].First {
		t.next = ends[0].First
	}
	t.mu.Unlock()
	for t.applied() < ends[0].Next {
		if err := t.step(ctx); err != nil {
			return fmt.Errorf("kafka: replay table %s: %w", t.topic, err)
		}
	}
	return nil
}

// Run follows the topic until ctx is done, applying records as they arrive.
func (t *Table) Run(ctx context.Context) error {
	for {
		if err := t.step(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("kafka: follow table %s: %w", t.topic, err)
		}
	}
}

func (t *Table) step(ctx context.Context) error {
	m, err := t.reader.Fetch(ctx)
	if err != nil {
		return err
	}
	t.apply(m)
	t.mu.Lock()
	t.next = m.Offset + 1
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
	return nil
}

func (t *Table) applied() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.next
}

// Append writes key=value (value nil deletes the key) with acks=all and
// returns without waiting for this instance's view: for owners that update
// their view themselves and whose apply tolerates seeing the record again.
func (t *Table) Append(ctx context.Context, key, value []byte) error {
	if err := t.writer.WriteMessages(ctx, Message{Topic: t.topic, Key: key, Value: value}); err != nil {
		return fmt.Errorf("kafka: table %s: append: %w", t.topic, err)
	}
	return nil
}

// Put writes key=value (value nil deletes the key) with acks=all and waits
// until this instance's view has applied it, which needs Run to be running.
func (t *Table) Put(ctx context.Context, key, value []byte) error {
	if err := t.Append(ctx, key, value); err != nil {
		return err
	}
	return t.Sync(ctx)
}

// Sync waits until every record written to the table before the call has
// been applied.
func (t *Table) Sync(ctx context.Context) error {
	ends, err := t.client.Ends(ctx, t.topic)
	if err != nil {
		return err
	}
	for {
		t.mu.Lock()
		next, changed := t.next, t.changed
		t.mu.Unlock()
		if next >= ends[0].Next {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kafka: table %s: sync: %w", t.topic, ctx.Err())
		case <-changed:
		}
	}
}

// Close releases the table's reader and writer.
func (t *Table) Close() error {
	return errors.Join(t.reader.Close(), t.writer.Close())
}
