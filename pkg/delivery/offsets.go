package delivery

import (
	"sort"
	"sync"
)

// offsets tracks, per owned partition of one topic, which fetched records
// are settled, so that only the highest contiguous settled offset is
// committed.
type offsets struct {
	topic string
	mu    sync.Mutex
	parts map[int]*partition
}

type partition struct {
	entries   []entry // ascending offsets, not yet committable
	lastAdded int64
	ready     int64 // highest contiguous settled offset not yet committed; -1 none
	next      int64 // offset after the last committed one; -1 unknown
}

type entry struct {
	offset  int64
	settled bool
}

func newOffsets(topic string) *offsets {
	return &offsets{topic: topic, parts: map[int]*partition{}}
}

// reset starts partition p afresh (newly owned).
func (o *offsets) reset(p int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.parts[p] = &partition{lastAdded: -1, ready: -1, next: -1}
}

// drop forgets partition p (no longer owned): its settles count for nothing.
func (o *offsets) drop(p int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.parts, p)
}

// add registers a fetched record; false means it was already seen (a refetch
// after a rebalance) or its partition is not owned, and must be skipped.
func (o *offsets) add(p int, off int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	pt := o.parts[p]
	if pt == nil || off <= pt.lastAdded {
		return false
	}
	pt.lastAdded = off
	pt.entries = append(pt.entries, entry{offset: off})
	return true
}

// settle marks a record settled; it reports whether the committable position moved.
func (o *offsets) settle(p int, off int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	pt := o.parts[p]
	if pt == nil {
		return false
	}
	i := sort.Search(len(pt.entries), func(i int) bool { return pt.entries[i].offset >= off })
	if i == len(pt.entries) || pt.entries[i].offset != off {
		return false
	}
	pt.entries[i].settled = true
	n := 0
	for n < len(pt.entries) && pt.entries[n].settled {
		n++
	}
	if n == 0 {
		return false
	}
	pt.ready = pt.entries[n-1].offset
	pt.entries = pt.entries[n:]
	return true
}

// take returns, per partition that advanced, its highest contiguous settled
// offset, and forgets it until committed reports the outcome.
func (o *offsets) take() map[int]int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[int]int64{}
	for p, pt := range o.parts {
		if pt.ready >= 0 {
			out[p] = pt.ready
			pt.ready = -1
		}
	}
	return out
}

// committed records the outcome of committing off on p: on success the
// committed position moves; on failure off is ready again, unless a later
// one is.
func (o *offsets) committed(p int, off int64, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	pt := o.parts[p]
	switch {
	case pt == nil:
	case ok:
		pt.next = max(pt.next, off+1)
	case pt.ready < off:
		pt.ready = off
	}
}

// committedNext is the offset after p's last committed record, when known.
func (o *offsets) committedNext(p int) (int64, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	pt := o.parts[p]
	if pt == nil || pt.next < 0 {
		return 0, false
	}
	return pt.next, true
}
