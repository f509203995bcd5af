package bench

import (
	"sync"
	"sync/atomic"
)

// chunkSize is how many event slots a Timeline allocates at a time: 32 KiB,
// small enough for a Timeline per endpoint with a thousand endpoints.
const chunkSize = 1 << 12

// Timeline holds one instant per event sequence number (nanoseconds since
// the run's epoch, plus one so that zero means "not yet"). It grows in
// chunks as sequence numbers appear, so its size follows the events sent,
// not a guess made up front. It is safe for concurrent use.
type Timeline struct {
	mu     sync.RWMutex
	chunks []*[chunkSize]atomic.Int64
}

// Set records t for seq unless one is already there; it reports whether
// this was the first.
func (tl *Timeline) Set(seq int, t int64) bool {
	return tl.slot(seq).CompareAndSwap(0, t)
}

// Get returns seq's instant, 0 if none.
func (tl *Timeline) Get(seq int) int64 {
	c := seq / chunkSize
	tl.mu.RLock()
	defer tl.mu.RUnlock()
	if c >= len(tl.chunks) {
		return 0
	}
	return tl.chunks[c][seq%chunkSize].Load()
}

func (tl *Timeline) slot(seq int) *atomic.Int64 {
	c := seq / chunkSize
	tl.mu.RLock()
	if c < len(tl.chunks) {
		s := &tl.chunks[c][seq%chunkSize]
		tl.mu.RUnlock()
		return s
	}
	tl.mu.RUnlock()
	tl.mu.Lock()
	defer tl.mu.Unlock()
	for len(tl.chunks) <= c {
		tl.chunks = append(tl.chunks, new([chunkSize]atomic.Int64))
	}
	return &tl.chunks[c][seq%chunkSize]
}
