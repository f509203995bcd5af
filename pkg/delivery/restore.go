package delivery

import (
	"context"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
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
	if id := header(m, event.HeaderEventID); id != "" {
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
	recs, _, ok := w.readTiers(ctx, bl)
	if !ok {
		return false
	}
	if n := w.disp.merge(recs, nil); n > 0 {
		w.log.Info("parked contacts restored", zap.Int("count", n))
	}
	return true
}

// merge records that recs, retry-tier records, hold their contacts parked,
// skipping those in routed (already back here, so already uncounted). A
// contact this worker knows keeps the larger count and the later due time:
// its own count misses what another instance parked, and an overcount only
// parks a few more events until the head's grace runs out. It returns the
// number of contacts recs park.
func (d *dispatcher) merge(recs []kafka.Message, routed map[tierPos]bool) int {
	now := d.w.clock.Now()
	fresh := map[string]*keyState{}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range recs {
		pos := tierPos{topic: m.Topic, partition: m.Partition, offset: m.Offset}
		if len(m.Key) == 0 || routed[pos] || d.routed[pos] {
			continue
		}
		ks := fresh[string(m.Key)]
		if ks == nil {
			ks = &keyState{}
			fresh[string(m.Key)] = ks
		}
		ks.absorb(m, now)
	}
	for key, f := range fresh {
		if ks := d.keys[key]; ks != nil {
			ks.adopt(f)
			continue
		}
		d.keys[key] = f
	}
	return len(fresh)
}

// absorb counts m, a retry-tier record of this contact: the record due last
// names the tier (and, unless it is a parked follower, the head) the
// contact's new events wait behind.
func (ks *keyState) absorb(m kafka.Message, now time.Time) {
	ks.parkCount++
	due := headerTime(m, event.HeaderRetryDue)
	if ks.parkTopic != "" && due.Before(ks.parkDue) {
		return
	}
	ks.parkTopic, ks.parkDue = m.Topic, due
	ks.grace = headGrace + max(0, due.Sub(now))/4
	if header(m, event.HeaderRetryParked) != "true" {
		ks.headID = jobID(m)
	}
}

// adopt merges f, rebuilt from the tiers, into what this worker knows.
func (ks *keyState) adopt(f *keyState) {
	ks.parkCount = max(ks.parkCount, f.parkCount)
	if ks.headID == "" {
		ks.headID = f.headID
	}
	if ks.parkTopic == "" || f.parkDue.After(ks.parkDue) {
		ks.parkTopic, ks.parkDue, ks.grace = f.parkTopic, f.parkDue, f.grace
	}
}
