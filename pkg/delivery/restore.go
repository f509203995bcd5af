package delivery

import (
	"context"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// jobID is a record's event id, or its coordinates when it has none.
func jobID(m kafka.Message) string {
	if id := header(m, event.HeaderEventID); id != "" {
		return id
	}
	return m.Topic + "-" + strconv.Itoa(m.Partition) + "-" + strconv.FormatInt(m.Offset, 10)
}

// restoreParked rebuilds, for the workers in subs, which contacts are parked
// in the retry tiers, from the records the tier mover has not moved back yet
// (one read of every tier, whatever the number of subscriptions). A contact
// the worker knows keeps what it knows and adds the rest. It returns when
// done or when ctx ends.
func (s *Supervisor) restoreParked(ctx context.Context, subs map[string]*Worker) {
	if len(subs) == 0 || len(s.tiers) == 0 {
		return
	}
	recs := map[string][]kafka.Message{}
	for _, t := range s.tiers {
		read := func() error {
			return s.deps.Broker.Uncommitted(ctx, t.topic, s.cfg.TierGroup(), func(m kafka.Message) {
				if id := header(m, event.HeaderSubscription); subs[id] != nil {
					m.Value = nil // only keys and headers count
					recs[id] = append(recs[id], m)
				}
			})
		}
		for k := range recs {
			delete(recs, k) // a retried read starts over
		}
		if !retryIO(ctx, s.log, "read retry tier backlog", t.topic, read) {
			return
		}
	}
	for id, w := range subs {
		w.pending.Set(float64(len(recs[id])))
		if w.ep.Ordering == OrderingNone {
			continue
		}
		if n := w.disp.merge(recs[id]); n > 0 {
			w.log.Info("parked contacts restored", zap.Int("count", n))
		}
	}
}

// merge records that recs, retry-tier records, hold their contacts parked.
// It returns the number of contacts recs park.
func (d *dispatcher) merge(recs []kafka.Message) int {
	now := d.w.clock.Now()
	fresh := map[string]*keyState{}
	for _, m := range recs {
		if len(m.Key) == 0 {
			continue
		}
		ks := fresh[string(m.Key)]
		if ks == nil {
			ks = &keyState{}
			fresh[string(m.Key)] = ks
		}
		ks.absorb(m, now)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
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
	ks.park(jobID(m))
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
	for id := range f.parked {
		ks.park(id)
	}
	if ks.headID == "" {
		ks.headID = f.headID
	}
	if ks.parkTopic == "" || f.parkDue.After(ks.parkDue) {
		ks.parkTopic, ks.parkDue, ks.grace = f.parkTopic, f.parkDue, f.grace
	}
}
