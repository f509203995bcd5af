package ingest

import (
	"context"
	"sync"
	"time"
)

// Dedup remembers which Engage message ids were written within a window
// and which are being written right now, so that a retry — sequential or
// concurrent — writes once. It is safe for concurrent use.
type Dedup struct {
	mu       sync.Mutex
	seen     window
	inflight map[string]chan struct{}
	now      func() time.Time
}

// NewDedup returns a Dedup remembering up to capacity ids for ttl.
func NewDedup(ttl time.Duration, capacity int, now func() time.Time) *Dedup {
	return &Dedup{
		seen:     window{ttl: ttl.Nanoseconds(), capacity: capacity, index: map[uint64]int64{}},
		inflight: map[string]chan struct{}{},
		now:      now,
	}
}

// Acquire claims id for writing. It returns dup=true when id was already
// written within the window: the caller writes nothing. Otherwise the
// caller owns id and must call Release. When another request owns id,
// Acquire waits for it to release (or for ctx, returning ctx's error).
func (d *Dedup) Acquire(ctx context.Context, id string) (dup bool, err error) {
	for {
		d.mu.Lock()
		if d.seen.has(IDHash(id), d.now().UnixNano()) {
			d.mu.Unlock()
			return true, nil
		}
		wait, busy := d.inflight[id]
		if !busy {
			d.inflight[id] = make(chan struct{})
			d.mu.Unlock()
			return false, nil
		}
		d.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// Release gives up ownership of id, remembering it when written is true;
// requests waiting on id then see it as a duplicate or take it over.
func (d *Dedup) Release(id string, written bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if written {
		d.seen.add(IDHash(id), d.now().UnixNano())
	}
	if ch, ok := d.inflight[id]; ok {
		delete(d.inflight, id)
		close(ch)
	}
}

// Remember records the id whose IDHash is h as written at at: replayed
// from the dedup topic at start-up, or written by another replica.
func (d *Dedup) Remember(h uint64, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen.add(h, at.UnixNano())
}

// Len returns how many ids are remembered.
func (d *Dedup) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen.index)
}

// IDHash is the 64-bit FNV-1a hash of a message id: what the window keeps
// and what replicas share on the dedup topic, so it must not change
// between versions. A false duplicate among a million ids has odds of
// about 1 in 3·10^7. (The ids come from signed webhooks, so nobody can
// pick ids to collide.)
func IDHash(id string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * prime
	}
	return h
}

// window is a FIFO of id hashes with the time each was written: at most
// capacity entries, the oldest forgotten first and anything older than ttl
// ignored; about 60 bytes per id all told.
type window struct {
	ttl      int64
	capacity int
	queue    []slot
	head     int
	index    map[uint64]int64
}

type slot struct {
	h  uint64
	at int64
}

func (w *window) has(h uint64, now int64) bool {
	at, ok := w.index[h]
	return ok && now-at < w.ttl
}

func (w *window) add(h uint64, at int64) {
	if prev, ok := w.index[h]; ok && prev >= at {
		return
	}
	for len(w.queue)-w.head >= w.capacity {
		w.pop()
	}
	w.queue = append(w.queue, slot{h: h, at: at})
	w.index[h] = at
	w.expire(at)
}

// expire forgets entries at the front older than ttl before now.
func (w *window) expire(now int64) {
	for w.head < len(w.queue) && now-w.queue[w.head].at >= w.ttl {
		w.pop()
	}
}

func (w *window) pop() {
	s := w.queue[w.head]
	if w.index[s.h] == s.at {
		delete(w.index, s.h)
	}
	w.queue[w.head] = slot{}
	w.head++
	if w.head > len(w.queue)/2 && w.head > 1024 {
		w.queue = append(w.queue[:0], w.queue[w.head:]...)
		w.head = 0
	}
}
