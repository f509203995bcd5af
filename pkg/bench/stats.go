package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram records durations in log-linear buckets, like HdrHistogram:
// exact below 256µs, and within 1/128 (0.8%) of the true value above.
// It is safe for concurrent use; memory is fixed (~60 KiB) whatever the count.
type Histogram struct {
	counts [numBuckets]atomic.Int64
	n      atomic.Int64
	max    atomic.Int64 // µs, exact
}

const (
	subBits    = 7                  // 128 sub-buckets per power of two
	linearMax  = 1 << (subBits + 1) // values below are their own bucket
	numBuckets = linearMax + (64-subBits-1)*(1<<subBits)
)

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	us := max(int64(d/time.Microsecond), 0)
	h.counts[bucketOf(us)].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			return
		}
	}
}

// Count is the number of recorded durations.
func (h *Histogram) Count() int64 { return h.n.Load() }

// Max is the largest recorded duration, exactly (to the microsecond).
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) * time.Microsecond }

// Quantile returns the duration at or below which a fraction q (0..1) of
// the recordings fall: the upper edge of the bucket holding that rank,
// never above Max. It returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(n))), 1)
	var seen int64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(min(bucketTop(i), h.max.Load())) * time.Microsecond
		}
	}
	return h.Max()
}

// bucketOf maps a value to its bucket: values below linearMax map to
// themselves; above, the top subBits+1 bits select the bucket.
func bucketOf(v int64) int {
	if v < linearMax {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - (subBits + 1)
	mantissa := int(v >> shift) // in [128, 256)
	return linearMax + (shift-1)*(1<<subBits) + mantissa - (1 << subBits)
}

// bucketTop is the largest value that maps to bucket i.
func bucketTop(i int) int64 {
	if i < linearMax {
		return int64(i)
	}
	i -= linearMax
	shift := i/(1<<subBits) + 1
	mantissa := int64(i%(1<<subBits) + (1 << subBits))
	return (mantissa+1)<<shift - 1
}
