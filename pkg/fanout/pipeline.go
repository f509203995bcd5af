package fanout

import (
	"context"
	"fmt"
	"sync"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// fetched is a batch, its records' event types, and the filter decisions
// made while it waited.
type fetched struct {
	batch []kafka.Message
	types []event.Type
	ahead *ahead
}

// written is a batch whose copies are all acknowledged, ready to commit.
type written struct {
	batch  []kafka.Message
	copies map[string]outcomes
}

// Run copies batches until ctx is done. Fetching, writing and committing
// overlap: while batch N's copies are written, batch N+1 is collected,
// and batch N-1 is committed. Batches are written one at a time, in
// order, and committed one at a time, in order, each only after its
// copies (and so those of every earlier batch) are acknowledged; at most
// three batches are in hand. On cancellation it stops fetching, finishes
// the batches in hand (write, then commit) within fanout.shutdown_timeout,
// and returns nil. A failed fetch, write or commit (Kafka away, a leader
// moving, a rebalance) is retried with Deps.Backoff for as long as it
// takes, so Run returns only when ctx is done, and then nil.
func (f *Fanout) Run(ctx context.Context) error {
	work, cancel := f.shutdownContext(ctx)
	defer cancel()
	batches := make(chan fetched)
	done := make(chan written)
	var wg sync.WaitGroup
	for _, run := range f.background {
		wg.Go(func() { _ = run(work) })
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(batches)
		f.fetchLoop(ctx, batches)
	}()
	go func() {
		defer wg.Done()
		defer close(done)
		f.writeLoop(work, batches, done)
	}()
	f.commitLoop(work, done)
	cancel() // the loops are done: so is what ran for them
	wg.Wait()
	return nil
}

// fetchLoop collects batches into out until ctx is done, waiting out
// fetch failures; the batch in hand is handed over either way. Before
// handing a batch over it decides its filters (see ahead).
func (f *Fanout) fetchLoop(ctx context.Context, out chan<- fetched) {
	for {
		batch, types, err := f.collect(ctx)
		if len(batch) > 0 {
			out <- fetched{batch: batch, types: types, ahead: f.decideAhead(ctx, batch, types)} // writeLoop drains until close
		}
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			f.fetching.Succeeded()
		case !f.fetching.Failed(ctx, fmt.Errorf("fanout: %w", err)):
			return
		}
	}
}

// writeLoop writes each batch's copies, retrying failures, and hands it to
// the committer. Once work is done (stop plus the shutdown timeout) it
// drops the rest: not written, not committed, copied again by the next
// owner of their partitions.
func (f *Fanout) writeLoop(work context.Context, in <-chan fetched, out chan<- written) {
	for b := range in {
		if work.Err() != nil {
			continue
		}
		var copies map[string]outcomes
		a := b.ahead
		f.retry(work, f.writing, func() error {
			var err error
			copies, err = f.write(work, b.batch, b.types, a)
			a = nil // a retry decides again
			return err
		})
		f.aheads.put(b.ahead)
		if work.Err() == nil {
			out <- written{batch: b.batch, copies: copies}
		}
	}
}

// commitLoop commits written batches in order. A batch whose commit is
// abandoned (work done) stops all later commits.
func (f *Fanout) commitLoop(work context.Context, in <-chan written) {
	for w := range in {
		if work.Err() != nil {
			continue
		}
		f.retry(work, f.committing, func() error { return f.deps.Source.Commit(work, w.batch...) })
		if work.Err() == nil {
			f.metrics.committed(w.batch, w.copies)
		}
	}
}
