package attemptindex

import "hash/fnv"

// entry is one indexed attempt: 32 bytes.
type entry struct {
	offset    int64
	at        int64 // unix nanoseconds
	contact   uint32
	event     uint32
	status    uint16
	etype     uint16 // interned event type
	partition uint16
	outcome   uint8
}

// Outcome codes of an entry.
const (
	outcomeOther uint8 = iota
	outcomeDelivered
	outcomeRetry
	outcomeDeadLetter
)

func outcomeCode(s string) uint8 {
	switch s {
	case "delivered":
		return outcomeDelivered
	case "retry":
		return outcomeRetry
	case "dead_letter":
		return outcomeDeadLetter
	}
	return outcomeOther
}

// hash32 is the FNV-1a hash of s (0 for ""); a match on it is checked on
// the full record.
func hash32(s string) uint32 {
	if s == "" {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}

// ring holds one subscription's newest entries, oldest first, up to its
// capacity; seq numbers count every entry ever added.
type ring struct {
	buf  []entry
	head int   // index of the oldest entry once full
	n    int64 // entries ever added: the next entry's seq
	cap  int
}

func (r *ring) add(e entry) (grew bool) {
	r.n++
	if len(r.buf) < r.cap {
		r.buf = append(r.buf, e)
		return true
	}
	r.buf[r.head] = e
	r.head = (r.head + 1) % len(r.buf)
	return false
}

// first is the seq of the oldest entry held.
func (r *ring) first() int64 { return r.n - int64(len(r.buf)) }

// at returns the entry of seq, which must be in [first, n).
func (r *ring) at(seq int64) entry {
	return r.buf[(r.head+int(seq-r.first()))%len(r.buf)]
}

// resize keeps the newest capacity entries and returns how many it dropped.
func (r *ring) resize(capacity int) int {
	r.cap = capacity
	if len(r.buf) <= capacity && r.head == 0 {
		return 0
	}
	keep := min(len(r.buf), capacity)
	out := make([]entry, keep, max(keep, min(capacity, 2*keep)))
	for i := range keep {
		out[i] = r.at(r.n - int64(keep) + int64(i))
	}
	dropped := len(r.buf) - keep
	r.buf, r.head = out, 0
	return dropped
}
