package delivery

import (
	"context"
	"sync"
	"time"
)

// headGrace (plus a quarter of its delay, for jitter) is how long past its
// due time a contact's parked head may stay away before its followers stop
// waiting for it (another instance took it after a rebalance, or a restart
// forgot the contact's state).
const headGrace = time.Minute

// dispatcher runs jobs. With ordering none every job runs on its own; with
// ordering key each contact has a queue drained by one runner goroutine, so
// its events are handled strictly one after another while other contacts'
// runners proceed.
//
// A contact whose head event went to a retry tier is parked: its later events
// (fresh ones, and followers coming back from a tier) are written to the same
// tier topic behind the head, with the head's due time and their attempt
// count unchanged, until the head comes back. Only that contact waits.
type dispatcher struct {
	w      *Worker
	ctx    context.Context // the hard stop
	mu     sync.Mutex
	keys   map[string]*keyState
	routed map[tierPos]bool // tier records routed here, not yet committed (see handover)
}

type keyState struct {
	queue     []*job
	running   bool
	headID    string        // event waiting in a tier as this contact's head
	parkTopic string        // tier topic holding the head and its followers
	parkDue   time.Time     // their due time
	parkCount int           // this contact's records in tiers, not yet back
	grace     time.Duration // how late the head may come back
}

func newDispatcher(ctx context.Context, w *Worker) *dispatcher {
	return &dispatcher{w: w, ctx: ctx, keys: map[string]*keyState{}, routed: map[tierPos]bool{}}
}

// submit takes ownership of j; the worker's runner group waits for it.
func (d *dispatcher) submit(j *job) {
	w := d.w
	if w.ep.Ordering == OrderingNone || j.key == "" {
		w.jobs.Add(1)
		go func() {
			defer w.jobs.Done()
			w.finish(j, w.process(d.ctx, j))
		}()
		return
	}
	d.mu.Lock()
	ks := d.keys[j.key]
	if ks == nil {
		ks = &keyState{}
		d.keys[j.key] = ks
	}
	ks.queue = append(ks.queue, j)
	start := !ks.running
	ks.running = true
	d.mu.Unlock()
	if start {
		w.jobs.Add(1)
		go d.run(j.key, ks)
	}
}

// run drains one contact's queue, one job at a time.
func (d *dispatcher) run(key string, ks *keyState) {
	defer d.w.jobs.Done()
	for {
		d.mu.Lock()
		if len(ks.queue) == 0 || d.ctx.Err() != nil {
			d.stop(key, ks)
			d.mu.Unlock()
			return
		}
		j := ks.queue[0]
		ks.queue = ks.queue[1:]
		park := d.route(ks, j)
		d.mu.Unlock()
		d.step(ks, j, park)
	}
}

// stop ends a runner (mu held): queued jobs are abandoned unsettled on a hard
// stop, and a contact with nothing parked is forgotten.
func (d *dispatcher) stop(key string, ks *keyState) {
	for range ks.queue {
		d.w.releaseBuffer()
	}
	ks.queue, ks.running = nil, false
	if ks.parkCount == 0 && ks.headID == "" {
		delete(d.keys, key)
	}
}

// route decides (mu held) whether j is delivered now or parked behind its
// contact's head.
func (d *dispatcher) route(ks *keyState, j *job) (park bool) {
	now := d.w.clock.Now()
	if ks.parkCount > 0 && now.After(ks.parkDue.Add(ks.grace)) {
		ks.headID, ks.parkCount = "", 0 // the head is not coming back here
	}
	if j.returning {
		d.routed[tierPos{topic: j.msg.Topic, partition: j.msg.Partition, offset: j.msg.Offset}] = true
	}
	if j.returning && ks.parkCount > 0 {
		ks.parkCount--
	}
	switch {
	case j.returning && j.id == ks.headID:
		ks.headID = ""
		return false
	case j.returning:
		return ks.headID != ""
	default:
		return ks.parkCount > 0
	}
}

// step handles one job of a contact and updates its parked state.
func (d *dispatcher) step(ks *keyState, j *job, park bool) {
	w := d.w
	if park {
		d.mu.Lock()
		topic, due := ks.parkTopic, ks.parkDue
		if now := w.clock.Now(); due.Before(now) {
			due = now
			ks.parkDue = now
		}
		d.mu.Unlock()
		v := w.park(d.ctx, j, topic, due)
		if v.settled {
			d.mu.Lock()
			ks.parkCount++
			d.mu.Unlock()
		}
		w.finish(j, v)
		return
	}
	v := w.process(d.ctx, j)
	if v.tier != "" {
		d.mu.Lock()
		ks.headID, ks.parkTopic, ks.parkDue = j.id, v.tier, v.due
		ks.grace = headGrace + v.due.Sub(w.clock.Now())/4
		ks.parkCount++
		d.mu.Unlock()
	}
	w.finish(j, v)
}
