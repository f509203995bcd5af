package ingest

import "sync/atomic"

// budget bounds the request-body memory every ingest request holds at once
// (ingest.max_in_flight_bytes). A body takes from it as its buffer grows,
// which is as its bytes arrive, so a client trickling a large body holds
// only what it has sent, and many of them cannot crowd out a normal
// request the way a bound on the number of bodies would let them.
type budget struct {
	limit  int64
	used   atomic.Int64
	bodies atomic.Int64
}

func newBudget(limit int64) *budget { return &budget{limit: limit} }

// lease starts one body's share of the budget.
func (b *budget) lease() *lease {
	b.bodies.Add(1)
	return &lease{b: b}
}

// lease is one request's share of the budget; release returns it.
type lease struct {
	b    *budget
	held int64
}

// cover makes the lease hold at least n bytes, or reports false when the
// budget cannot give the difference (the lease keeps what it had).
func (l *lease) cover(n int64) bool {
	need := n - l.held
	if need <= 0 {
		return true
	}
	if l.b.used.Add(need) > l.b.limit {
		l.b.used.Add(-need)
		return false
	}
	l.held = n
	return true
}

func (l *lease) release() {
	l.b.used.Add(-l.held)
	l.b.bodies.Add(-1)
	l.held = 0
}
