package delivery

import (
	"context"
	"strconv"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Backlog is implemented by brokers that can list what a consumer group has
// not committed yet. A worker whose Broker is also a Backlog rebuilds, before
// it fetches any new work, which contacts are parked in its retry tiers, so
// that after a restart a new event of a parked contact still waits behind
// the parked ones. KafkaBroker is one.
type Backlog interface {
	// Uncommitted hands visit, in offset order per partition, every record of
	// topic after group's committed offsets, up to the end present at the
	// call; nothing when the topic does not exist. Errors are retriable.
	Uncommitted(ctx context.Context, topic, group string, visit func(kafka.Message)) error
}

// jobID is a record's event id, or its coordinates when it has none.
func jobID(m kafka.Message) string {
	if id := header(m, HeaderEventID); id != "" {
		return id
	}
	return m.Topic + "-" + strconv.Itoa(m.Partition) + "-" + strconv.FormatInt(m.Offset, 10)
}

// restoreParked rebuilds the parked contacts from the uncommitted records of
// every retry tier (all partitions: the tier groups' assignments need not
// match the delivery group's). It returns false only when ctx ended.
func (w *Worker) restoreParked(ctx context.Context) bool {
	bl, ok := w.deps.Broker.(Backlog)
	if !ok || w.ep.Ordering == OrderingNone {
		return true
	}
	for _, t := range w.tiers {
		topic := w.tierTopic(t)
		var parked []kafka.Message // values dropped: only keys and headers count
		read := func() error {
			parked = parked[:0]
			return bl.Uncommitted(ctx, topic, w.tierGroup(t), func(m kafka.Message) {
				m.Value = nil
				parked = append(parked, m)
			})
		}
		if !w.retryIO(ctx, "read retry tier backlog", topic, read) {
			return false
		}
		for _, m := range parked {
			w.disp.restore(m)
		}
	}
	if n := w.disp.parkedContacts(); n > 0 {
		w.log.Info("parked contacts restored", zap.Int("count", n))
	}
	return true
}

// restore records that m, a retry-tier record, holds its contact parked: it
// counts it, and the record due last names the tier (and, unless it is a
// parked follower, the head) the contact's new events wait behind.
func (d *dispatcher) restore(m kafka.Message) {
	key := string(m.Key)
	if key == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	ks := d.keys[key]
	if ks == nil {
		ks = &keyState{}
		d.keys[key] = ks
	}
	ks.parkCount++
	due := headerTime(m, HeaderRetryDue)
	if ks.parkTopic != "" && due.Before(ks.parkDue) {
		return
	}
	ks.parkTopic, ks.parkDue = m.Topic, due
	ks.grace = headGrace + max(0, due.Sub(d.w.clock.Now()))/4
	if header(m, HeaderRetryParked) != "true" {
		ks.headID = jobID(m)
	}
}

func (d *dispatcher) parkedContacts() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.keys)
}
