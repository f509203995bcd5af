package delivery

import (
	"context"

	"golang.org/x/time/rate"
)

// newLimiter returns the limiter of an endpoint's RateLimit (events/s), with
// a burst of a tenth of a second's worth; nil when unlimited.
func newLimiter(perSecond float64) *rate.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond/10)))
}

// throttle waits for the rate limit on the worker's clock: it reserves a
// token now and waits out the reservation's delay. It returns false (and
// gives the token back) when ctx ends first.
func (w *Worker) throttle(ctx context.Context) bool {
	if w.limiter == nil {
		return true
	}
	now := w.clock.Now()
	r := w.limiter.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d <= 0 {
		return true
	}
	select {
	case <-w.clock.After(d):
		return true
	case <-ctx.Done():
		r.CancelAt(w.clock.Now())
		return false
	}
}
