package delivery

import (
	"sync/atomic"
	"time"
)

// runnerLinger is how long a runner goroutine waits for more work after
// its last before it ends.
const runnerLinger = 2 * time.Second

// runners hands work to goroutines, reusing one that finished its last
// work within runnerLinger instead of starting another. A delivery's call
// stack (net/http, TLS, signing) is deep: a fresh goroutine grows its
// stack by copying on every delivery, a reused one has grown it once.
// There is no bound and no queue: work either finds an idle runner at once
// or gets a new one, so one subscription's slow or waiting deliveries
// never hold up another's. At rest every runner ends: idle costs nothing.
type runners struct {
	idle    chan func()  // unbuffered: a send succeeds only to a waiting runner
	started atomic.Int64 // goroutines started
	waiting atomic.Int64 // runners waiting for work
}

func newRunners() *runners { return &runners{idle: make(chan func())} }

// Go runs f on an idle runner or a new goroutine.
func (r *runners) Go(f func()) {
	select {
	case r.idle <- f:
	default:
		r.started.Add(1)
		go r.loop(f)
	}
}

// loop runs f, then whatever it is handed within runnerLinger of finishing.
func (r *runners) loop(f func()) {
	t := time.NewTimer(runnerLinger) // goroutine lifetime, not a schedule
	defer t.Stop()
	for {
		f()
		t.Reset(runnerLinger)
		r.waiting.Add(1)
		select {
		case f = <-r.idle:
			r.waiting.Add(-1)
		case <-t.C:
			r.waiting.Add(-1)
			return
		}
	}
}
