package bench

import "time"

// Clock gives every time the bench records as nanoseconds since one epoch,
// plus one (so that zero can mean "not recorded"). Ingest acks and receiver
// arrivals are both read from it: end-to-end latency never compares two
// processes' clocks.
type Clock struct {
	epoch time.Time
	now   func() time.Time
}

// NewClock returns a Clock starting now; a nil now means time.Now.
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{epoch: now(), now: now}
}

// Nanos is the time since the epoch in nanoseconds, plus one.
func (c *Clock) Nanos() int64 { return int64(c.now().Sub(c.epoch)) + 1 }

// Since is the time elapsed since an instant returned by Nanos.
func (c *Clock) Since(nanos int64) time.Duration { return time.Duration(c.Nanos() - nanos) }
