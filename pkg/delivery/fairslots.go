package delivery

import (
	"context"
	"slices"
	"sync"
)

// fairSlots is a counting semaphore whose waiters are served round-robin
// by subscription. When every slot is taken, a subscription with a backlog
// (one catching up after it was made, or a replay) waits its turn behind
// one request of each other waiting subscription, not in front of them
// with its whole backlog: a channel would hand the slots out first come,
// first served, so a thousand records fetched at once would hold up every
// live delivery queued after them.
type fairSlots struct {
	mu     sync.Mutex
	free   int
	queues map[string][]chan struct{} // waiters per subscription, oldest first
	turn   []string                   // subscriptions with waiters, next served first
}

func newFairSlots(n int) *fairSlots {
	return &fairSlots{free: n, queues: map[string][]chan struct{}{}}
}

// acquire takes a slot for subscription id, waiting its turn when none is
// free; false when ctx ended first (then no slot is held).
func (f *fairSlots) acquire(ctx context.Context, id string) bool {
	f.mu.Lock()
	if f.free > 0 && len(f.turn) == 0 {
		f.free--
		f.mu.Unlock()
		return true
	}
	ready := make(chan struct{})
	if len(f.queues[id]) == 0 {
		f.turn = append(f.turn, id)
	}
	f.queues[id] = append(f.queues[id], ready)
	f.mu.Unlock()
	select {
	case <-ready:
		return true
	case <-ctx.Done():
		f.abandon(id, ready)
		return false
	}
}

// abandon takes a waiter whose context ended out of its queue, or gives
// back the slot it was handed meanwhile.
func (f *fairSlots) abandon(id string, ready chan struct{}) {
	f.mu.Lock()
	q := f.queues[id]
	i := slices.Index(q, ready)
	if i < 0 { // handed a slot just as ctx ended
		f.mu.Unlock()
		f.release()
		return
	}
	defer f.mu.Unlock()
	if q = slices.Delete(q, i, i+1); len(q) > 0 {
		f.queues[id] = q
		return
	}
	delete(f.queues, id)
	f.turn = slices.DeleteFunc(f.turn, func(s string) bool { return s == id })
}

// release gives a slot back: to the oldest waiter of the subscription
// whose turn it is (which then goes to the back of the turn), or to the
// free count when nobody waits.
func (f *fairSlots) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.turn) == 0 {
		f.free++
		return
	}
	id := f.turn[0]
	f.turn = f.turn[1:]
	q := f.queues[id]
	ready := q[0]
	if q = q[1:]; len(q) > 0 {
		f.queues[id] = q
		f.turn = append(f.turn, id)
	} else {
		delete(f.queues, id)
	}
	close(ready)
}
