package delivery

import (
	"sync"
	"time"
)

// headGrace (plus a quarter of its delay, for jitter) is how long past its
// due time a contact's parked head may stay away before its followers stop
// waiting for it (its partition moved to another instance, or a restart
// forgot the contact's state).
const headGrace = time.Minute

// dispatcher runs jobs. With ordering none every job runs on its own; with
// ordering key each contact has a queue drained by one runner goroutine, so
// its events are handled strictly one after another while other contacts'
// runners proceed. A contact with nothing queued or parked costs nothing.
//
// A contact whose head event went to a retry tier is parked: its later events
// (fresh ones, and followers coming back from a tier) are written to the same
// tier topic behind the head, with the head's due time and their attempt
// count unchanged, until the head comes back. Only that contact waits.
type dispatcher struct {
	w    *Worker
	mu   sync.Mutex
	keys map[string]*keyState
}

type keyState struct {
	queue     []*job
	running   bool
	headID    string              // event waiting in a tier as this contact's head
	parkTopic string              // tier topic holding the head and its followers
	parkDue   time.Time           // their due time
	parked    map[string]struct{} // ids of this contact's records in tiers, not yet back
	grace     time.Duration       // how late the head may come back
}

func newDispatcher(w *Worker) *dispatcher {
	return &dispatcher{w: w, keys: map[string]*keyState{}}
}

// submit takes ownership of j; the supervisor's job group waits for it.
func (d *dispatcher) submit(j *job) {
	w := d.w
	if w.ep.Ordering == OrderingNone || j.key == "" {
		w.sup.jobs.Add(1)
		w.sup.runners.Go(func() {
			defer w.sup.jobs.Done()
			w.finish(j, w.safeProcess(w.ctx, j))
		})
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
		w.sup.jobs.Add(1)
		w.sup.runners.Go(func() { d.run(j.key, ks) })
	}
}

// run drains one contact's queue, one job at a time.
func (d *dispatcher) run(key string, ks *keyState) {
	defer d.w.sup.jobs.Done()
	for {
		d.mu.Lock()
		if len(ks.queue) == 0 || d.w.ctx.Err() != nil {
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
	for _, j := range ks.queue {
		d.w.finish(j, verdict{})
	}
	ks.queue, ks.running = nil, false
	if len(ks.parked) == 0 && ks.headID == "" {
		delete(d.keys, key)
	}
}

// route decides (mu held) whether j is delivered now or parked behind its
// contact's head.
func (d *dispatcher) route(ks *keyState, j *job) (park bool) {
	now := d.w.clock.Now()
	if len(ks.parked) > 0 && now.After(ks.parkDue.Add(ks.grace)) {
		ks.headID, ks.parked = "", nil // the head is not coming back here
	}
	if j.returning {
		delete(ks.parked, j.id)
	}
	switch {
	case j.returning && j.id == ks.headID:
		ks.headID = ""
		return false
	case j.returning:
		return ks.headID != ""
	default:
		return len(ks.parked) > 0
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
		v := w.park(w.ctx, j, topic, due)
		if v.settled {
			d.mu.Lock()
			ks.park(j.id)
			d.mu.Unlock()
		}
		w.finish(j, v)
		return
	}
	v := w.safeProcess(w.ctx, j)
	if v.tier != "" {
		d.mu.Lock()
		ks.headID, ks.parkTopic, ks.parkDue = j.id, v.tier, v.due
		ks.grace = headGrace + v.due.Sub(w.clock.Now())/4
		ks.park(j.id)
		d.mu.Unlock()
	}
	w.finish(j, v)
}

// park records that event id of this contact waits in a tier.
func (ks *keyState) park(id string) {
	if ks.parked == nil {
		ks.parked = map[string]struct{}{}
	}
	ks.parked[id] = struct{}{}
}
