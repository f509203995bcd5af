package bench

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueOnceAndInOrder(t *testing.T) {
	t.Parallel()
	values := []int64{0, 1, 127, 255, 256, 257, 511, 512, 1000, 12345, 1 << 20, 1<<40 + 7, 1<<62 - 1}
	for _, v := range values {
		b := bucketOf(v)
		if top := bucketTop(b); top < v {
			t.Errorf("bucketTop(bucketOf(%d)) = %d, below the value", v, top)
		}
		if b > 0 && bucketTop(b-1) >= v {
			t.Errorf("value %d also fits bucket %d (top %d)", v, b-1, bucketTop(b-1))
		}
		if b >= numBuckets {
			t.Errorf("bucketOf(%d) = %d, beyond %d buckets", v, b, numBuckets)
		}
	}
}

func TestQuantilesAreExactForSmallValues(t *testing.T) {
	t.Parallel()
	var h Histogram
	for us := 1; us <= 100; us++ {
		h.Record(time.Duration(us) * time.Microsecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Microsecond}, {0.9, 90 * time.Microsecond}, {0.99, 99 * time.Microsecond}, {1, 100 * time.Microsecond}}
	for _, tt := range tests {
		if got := h.Quantile(tt.q); got != tt.want {
			t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if h.Count() != 100 || h.Max() != 100*time.Microsecond {
		t.Errorf("Count, Max = %d, %v; want 100, 100µs", h.Count(), h.Max())
	}
}

func TestQuantilesAreWithinOnePercentOfASortedSlice(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var all []time.Duration
	for range 50000 {
		d := time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond))
		all = append(all, d.Truncate(time.Microsecond))
		h.Record(d)
	}
	slices.Sort(all)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := all[int(q*float64(len(all)))-1]
		got := h.Quantile(q)
		if diff := float64(got-exact) / float64(exact); diff < -0.01 || diff > 0.01 {
			t.Errorf("Quantile(%v) = %v, sorted slice says %v (%.2f%% off)", q, got, exact, diff*100)
		}
	}
	if h.Max() != all[len(all)-1] {
		t.Errorf("Max = %v, want %v", h.Max(), all[len(all)-1])
	}
}

func TestEmptyHistogramAndNegativeDurations(t *testing.T) {
	t.Parallel()
	var h Histogram
	if h.Quantile(0.99) != 0 || h.Max() != 0 {
		t.Fatalf("empty histogram: p99 %v, max %v; want 0, 0", h.Quantile(0.99), h.Max())
	}
	h.Record(-time.Second)
	if h.Count() != 1 || h.Quantile(1) != 0 {
		t.Fatalf("negative duration: count %d, p100 %v; want 1, 0", h.Count(), h.Quantile(1))
	}
}

func TestHistogramCountsConcurrentRecords(t *testing.T) {
	t.Parallel()
	var h Histogram
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				h.Record(time.Duration(g*1000+i) * time.Microsecond)
			}
		})
	}
	wg.Wait()
	if h.Count() != 8000 || h.Max() != 7999*time.Microsecond {
		t.Fatalf("Count, Max = %d, %v; want 8000, 7.999ms", h.Count(), h.Max())
	}
}
