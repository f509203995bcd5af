package kafka

import (
	"context"
	"math/rand/v2"
	"time"
)

// DefaultRetryBackoffMax is the default kafka.retry_backoff_max.
const DefaultRetryBackoffMax = 5 * time.Second

// minRetryBackoff is the first wait of a Backoff without a Min.
const minRetryBackoff = 100 * time.Millisecond

// Backoff is the wait between attempts to reach Kafka after a failure: it
// doubles from Min up to Max, less up to a fifth at random so that replicas
// that lost the broker together do not come back in lockstep. An outage
// therefore costs few attempts, and its end is noticed within Max.
type Backoff struct {
	// Min is the first wait. Default 100ms (capped at Max).
	Min time.Duration
	// Max caps every wait. Default DefaultRetryBackoffMax.
	Max time.Duration
	// rand returns [0, 1); nil means math/rand/v2.
	rand func() float64
}

// Delay returns the wait before attempt n+1 after n failed attempts (n >= 1).
func (b Backoff) Delay(n int) time.Duration {
	b = b.withDefaults()
	d := b.Min
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	r := rand.Float64
	if b.rand != nil {
		r = b.rand
	}
	return d - time.Duration(r()*float64(d)/5)
}

// Wait waits Delay(n), or until ctx is done; it reports whether the wait
// ran to its end (false: ctx is done).
func (b Backoff) Wait(ctx context.Context, n int) bool {
	t := time.NewTimer(b.Delay(n))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (b Backoff) withDefaults() Backoff {
	if b.Max <= 0 {
		b.Max = DefaultRetryBackoffMax
	}
	if b.Min <= 0 {
		b.Min = minRetryBackoff
	}
	b.Min = min(b.Min, b.Max)
	return b
}

// Backoff returns the client's retry policy: kafka.retry_backoff_max caps it.
func (c *Client) Backoff() Backoff { return Backoff{Max: c.cfg.RetryBackoffMax} }
