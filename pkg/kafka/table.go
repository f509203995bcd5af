package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"go.uber.org/zap"
)

// Table is a single-partition topic read as a changelog: every instance
// replays it (a compacted topic from the start, an expiring one from a
// time), then follows it, handing each record to apply in offset order.
// Writers go through Put, which returns only once this instance has
// applied the write (read-your-writes), so the in-memory view built by
// apply is the only state there is. While Kafka does not answer, the
// table waits and retries (see Run); it never gives up on its own.
type Table struct {
	client *Client
	topic  string
	apply  func(Message)
	writer *Writer
	outage *Outage

	mu      sync.Mutex
	next    int64         // offset of the next record to apply
	changed chan struct{} // closed and replaced whenever next moves
	reader  *Reader
}

// tablePoll is the longest a table's fetch waits for a change. It costs
// no latency (a record ends the wait at once); it sets the idle cost, one
// fetch per table per tablePoll.
const tablePoll = time.Second

// OpenTable ensures topic exists (compacted, one partition), replays it into
// apply, and returns once caught up with the records present at the call.
// Call Run to keep following it; apply is only ever called from one goroutine.
func (c *Client) OpenTable(ctx context.Context, topic string, apply func(Message)) (*Table, error) {
	spec := TopicSpec{Name: topic, Partitions: 1, Compacted: true}
	return c.openTable(ctx, spec, func(ends PartitionEnds) (int64, error) { return ends.First, nil }, apply)
}

// OpenLog is OpenTable for a topic whose records expire instead of being
// compacted (spec.Configs sets its retention; it is created with one
// partition): it replays the records written at or after since.
func (c *Client) OpenLog(ctx context.Context, spec TopicSpec, since time.Time, apply func(Message)) (*Table, error) {
	spec.Partitions, spec.Compacted = 1, false
	start := func(ends PartitionEnds) (int64, error) { return c.offsetAt(ctx, spec.Name, ends, since) }
	return c.openTable(ctx, spec, start, apply)
}

func (c *Client) openTable(ctx context.Context, spec TopicSpec, start func(PartitionEnds) (int64, error), apply func(Message)) (*Table, error) {
	if err := c.EnsureTopics(ctx, spec); err != nil {
		return nil, err
	}
	ends, err := c.Ends(ctx, spec.Name)
	if err != nil {
		return nil, err
	}
	if len(ends) == 0 {
		return nil, fmt.Errorf("kafka: table %s has no partition", spec.Name)
	}
	offset, err := start(ends[0])
	if err != nil {
		return nil, err
	}
	reader, err := c.NewPartitionReader(spec.Name, 0, offset, ReaderOptions{MaxWait: tablePoll})
	if err != nil {
		return nil, err
	}
	t := &Table{
		client: c, topic: spec.Name, apply: apply, reader: reader, next: offset,
		writer:  c.NewWriter(WriterOptions{BatchTimeout: time.Millisecond}),
		outage:  NewOutage("follow table "+spec.Name, c.Backoff(), c.log.With(zap.String("topic", spec.Name)), nil),
		changed: make(chan struct{}),
	}
	if err := t.catchUp(ctx, ends[0].Next); err != nil {
		_ = t.Close()
		return nil, err
	}
	return t, nil
}

// catchUp applies records until the table reaches end (the high watermark
// when it was opened), waiting out fetch failures until ctx is done.
func (t *Table) catchUp(ctx context.Context, end int64) error {
	for t.applied() < end {
		if err := t.attempt(ctx); err != nil {
			return fmt.Errorf("kafka: replay table %s: %w", t.topic, err)
		}
	}
	return nil
}

// Run follows the topic until ctx is done, applying records as they arrive,
// and returns nil then. A failed fetch (Kafka away, a leader moving) is
// retried with the client's Backoff for as long as it takes, logged when
// it starts and when a record arrives again.
func (t *Table) Run(ctx context.Context) error {
	for {
		if err := t.attempt(ctx); err != nil {
			return nil
		}
	}
}

// attempt applies the next record, or waits out a failure; it returns an
// error only when ctx is done.
func (t *Table) attempt(ctx context.Context) error {
	err := t.step(ctx)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err == nil:
		t.outage.Succeeded()
	case !t.outage.Failed(ctx, err):
		return ctx.Err()
	}
	return nil
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
	return t.AppendAt(ctx, time.Time{}, key, value)
}

// AppendAt is Append with the record's timestamp set to at (zero: now),
// which is what OpenLog's since compares with.
func (t *Table) AppendAt(ctx context.Context, at time.Time, key, value []byte) error {
	if err := t.writer.WriteMessages(ctx, Message{Topic: t.topic, Key: key, Value: value, Time: at}); err != nil {
		return fmt.Errorf("kafka: table %s: append: %w", t.topic, err)
	}
	return nil
}

// Put writes key=value (value nil deletes the key) with acks=all and waits
// until this instance's view has applied it, which needs Run to be running.
// It waits for the offset its own write got, so a Put costs one produce
// and no offset lookup (with a thousand subscriptions being made, every
// request to the broker counts).
func (t *Table) Put(ctx context.Context, key, value []byte) error {
	offset, err := t.produce(ctx, key, value)
	if err != nil {
		return fmt.Errorf("kafka: table %s: put: %w", t.topic, err)
	}
	return t.waitApplied(ctx, offset+1)
}

// putTimeout bounds a Put's write, retries of transient errors included,
// as WriterOptions.WriteTimeout bounds a Writer's.
const putTimeout = 10 * time.Second

// produce writes one record to the table's partition (acks=all) and
// returns its offset. A transient error is retried within putTimeout: a
// record written twice is applied twice, which a table's key=value view
// does not mind.
func (t *Table) produce(ctx context.Context, key, value []byte) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, putTimeout)
	defer cancel()
	var offset int64
	err := t.client.retry(ctx, func() error {
		rec := kafkago.Record{Time: time.Now(), Key: kafkago.NewBytes(key), Value: kafkago.NewBytes(value)}
		res, err := t.client.admin.Produce(ctx, &kafkago.ProduceRequest{Topic: t.topic, Partition: 0,
			RequiredAcks: kafkago.RequireAll, Records: kafkago.NewRecordReader(rec)})
		if err == nil {
			err = res.Error
		}
		if err == nil {
			offset = res.BaseOffset
		}
		return err
	})
	return offset, err
}

// Sync waits until every record written to the table before the call has
// been applied.
func (t *Table) Sync(ctx context.Context) error {
	ends, err := t.client.Ends(ctx, t.topic)
	if err != nil {
		return err
	}
	return t.waitApplied(ctx, ends[0].Next)
}

// waitApplied waits until the view has applied every record before end.
func (t *Table) waitApplied(ctx context.Context, end int64) error {
	for {
		t.mu.Lock()
		next, changed := t.next, t.changed
		t.mu.Unlock()
		if next >= end {
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
