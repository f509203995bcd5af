package kafka

import (
	"context"
	"sync"
)

// CoalescingWriter writes the messages of concurrent WriteMessages calls
// together: while the writes in flight are at their bound, the calls that
// arrive wait and then go out as one BatchWriter call (one produce request per broker for
// all of them), the way a database group-commits. A lone call is sent at
// once, with no linger; under load the batches grow with the round trip,
// so throughput follows the broker's, not one request per call. It is what
// ingest writes events with: kafka-go's Writer sends a request per
// partition batch and a partition's batches one after another, which on
// Apache Kafka left single-event requests waiting seconds behind each other.
//
// At most two combined writes are in flight (maxFlushers). A call returns
// only once its own messages are acknowledged (acks=all), so calls made
// one after another keep their order within a partition: the later one
// starts after the earlier one's write ended. Calls made concurrently have
// no order to keep. When a combined write fails, each call's messages are
// written again on their own, so one call's bad message (too large, a
// topic that does not exist) fails only that call; after a failure some
// messages may have been written twice (at-least-once, like every writer
// here).
type CoalescingWriter struct {
	w messageWriter

	mu       sync.Mutex
	pending  []*pendingWrite
	flushing int // flushers running, at most maxFlushers
}

// maxFlushers bounds the combined writes in flight. One made every call
// wait out the write before its own, and Apache Kafka answers two
// requests at once on separate I/O threads: with two, ingest in batches
// of 50 acknowledged 40,400–44,000 events/s against 30,800–39,200 with
// one (four runs each, docs/benchmarks.md "Session 11, issue 16").
const maxFlushers = 2

type messageWriter interface {
	WriteMessages(ctx context.Context, msgs ...Message) error
}

type pendingWrite struct {
	ctx  context.Context
	msgs []Message
	done chan error
}

// NewCoalescingWriter returns a CoalescingWriter over a BatchWriter with opts.
func (c *Client) NewCoalescingWriter(opts WriterOptions) *CoalescingWriter {
	return &CoalescingWriter{w: c.NewBatchWriter(opts)}
}

// WriteMessages returns once msgs are acknowledged by all in-sync
// replicas, or an error; ctx bounds the wait (the messages may still be
// written after it ends).
func (w *CoalescingWriter) WriteMessages(ctx context.Context, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	p := &pendingWrite{ctx: ctx, msgs: msgs, done: make(chan error, 1)}
	w.mu.Lock()
	w.pending = append(w.pending, p)
	start := w.flushing < maxFlushers
	if start {
		w.flushing++
	}
	w.mu.Unlock()
	if start {
		go w.flush()
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close is a no-op: calls in flight finish, nothing is held between them.
func (w *CoalescingWriter) Close() error { return nil }

// flush writes what is pending, batch after batch, until nothing is; up
// to maxFlushers run at once.
func (w *CoalescingWriter) flush() {
	for {
		w.mu.Lock()
		batch := w.pending
		w.pending = nil
		if len(batch) == 0 {
			w.flushing--
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		w.write(batch)
	}
}

// write writes batch's messages in one call; after a failure, each call's
// on its own (concurrently: they were concurrent calls).
func (w *CoalescingWriter) write(batch []*pendingWrite) {
	batch = live(batch)
	switch len(batch) {
	case 0:
		return
	case 1:
		batch[0].done <- w.w.WriteMessages(batch[0].ctx, batch[0].msgs...)
		return
	}
	var all []Message
	for _, p := range batch {
		all = append(all, p.msgs...)
	}
	if w.w.WriteMessages(context.Background(), all...) == nil {
		for _, p := range batch {
			p.done <- nil
		}
		return
	}
	var wg sync.WaitGroup
	for _, p := range batch {
		wg.Go(func() { p.done <- w.w.WriteMessages(p.ctx, p.msgs...) })
	}
	wg.Wait()
}

// live drops the calls whose context ended while they waited: nothing of
// theirs is written (their callers have their error already).
func live(batch []*pendingWrite) []*pendingWrite {
	out := batch[:0]
	for _, p := range batch {
		if err := p.ctx.Err(); err != nil {
			p.done <- err
			continue
		}
		out = append(out, p)
	}
	return out
}
