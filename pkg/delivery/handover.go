package delivery

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Partition handover. The parked contacts are rebuilt from the retry tiers
// when a worker starts, but a consumer-group rebalance can later hand a
// running worker a delivery-topic partition whose contacts another instance
// parked meanwhile. kafka-go's group reader has no assignment callback, so
// the fetch loop watches the partition and offset of every record: a record
// from a partition not seen before, or past a gap (another member consumed
// and committed the records in between), means the partition was taken
// over, and the parked contacts are rebuilt before that record is handled.
//
// Tier topics are created with the configured partition count, which need
// not equal the delivery topic's (the topics may have been created under
// different settings), so a rebuild reads every partition of every tier.

// partitionWatch remembers, per delivery-topic partition, the offset
// expected next. It is owned by the delivery stream's fetch loop.
type partitionWatch struct {
	next map[int]int64
}

func newPartitionWatch() *partitionWatch { return &partitionWatch{next: map[int]int64{}} }

// takenOver records a fetched record and reports whether its partition was
// (re)assigned since this worker last read it: first seen, or an offset past
// the one expected. A refetch (an offset already seen) is not a takeover.
func (pw *partitionWatch) takenOver(p int, off int64) bool {
	next, seen := pw.next[p]
	if seen && off < next {
		return false
	}
	pw.next[p] = off + 1
	return !seen || off > next
}

// tierPos is one retry-tier record.
type tierPos struct {
	topic     string
	partition int
	offset    int64
}

// handover rebuilds the parked contacts after a takeover of partition p and
// starts the readers of tiers holding records (their other readers may be
// gone with the instance that left). It returns false only when ctx ended.
func (w *Worker) handover(ctx context.Context, p int, off int64) bool {
	bl, ok := w.deps.Broker.(Backlog)
	if !ok || w.ep.Ordering == OrderingNone {
		return true
	}
	before := w.disp.routedSnapshot()
	recs, busy, ok := w.readTiers(ctx, bl)
	if !ok {
		return false
	}
	n := w.disp.merge(recs, before)
	w.log.Info("partition taken over, parked contacts rebuilt", zap.String("topic", w.deliverTopic()),
		zap.Int("partition", p), zap.Int64("offset", off), zap.Int("count", n))
	for _, t := range busy {
		if !w.ensureTier(ctx, t) {
			return false
		}
	}
	return true
}

// readTiers returns the uncommitted records of every retry tier (values
// dropped: only keys and headers count) and the tiers that have any.
func (w *Worker) readTiers(ctx context.Context, bl Backlog) (recs []kafka.Message, busy []time.Duration, ok bool) {
	for _, t := range w.tiers {
		topic := w.tierTopic(t)
		var got []kafka.Message
		read := func() error {
			got = got[:0]
			return bl.Uncommitted(ctx, topic, w.tierGroup(t), func(m kafka.Message) {
				m.Value = nil
				got = append(got, m)
			})
		}
		if !w.retryIO(ctx, "read retry tier backlog", topic, read) {
			return nil, nil, false
		}
		if len(got) > 0 {
			busy = append(busy, t)
		}
		recs = append(recs, got...)
	}
	return recs, busy, true
}

// routedSnapshot copies the tier records routed here and not yet committed.
func (d *dispatcher) routedSnapshot() map[tierPos]bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[tierPos]bool, len(d.routed))
	for p := range d.routed {
		out[p] = true
	}
	return out
}

// committed forgets the routed records of topic at or below the committed positions.
func (d *dispatcher) committed(msgs []kafka.Message) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for pos := range d.routed {
		for _, m := range msgs {
			if pos.topic == m.Topic && pos.partition == m.Partition && pos.offset <= m.Offset {
				delete(d.routed, pos)
			}
		}
	}
}
