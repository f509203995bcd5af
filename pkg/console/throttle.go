package console

import (
	"sync"
	"time"
)

// throttle counts failed sign-ins in fixed windows: past max in one
// window, sign-in is refused (429) until the next, so the admin token
// cannot be guessed at the speed of the network. One per process.
type throttle struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	start  time.Time
	failed int
}

func newThrottle(max int, window time.Duration, now func() time.Time) *throttle {
	return &throttle{max: max, window: window, now: now}
}

// allowed reports whether a sign-in may be tried now.
func (t *throttle) allowed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.roll()
	return t.failed < t.max
}

// fail counts a refused sign-in.
func (t *throttle) fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.roll()
	t.failed++
}

// roll starts a new window when the current one is over; t.mu is held.
func (t *throttle) roll() {
	if now := t.now(); now.Sub(t.start) >= t.window {
		t.start, t.failed = now, 0
	}
}
