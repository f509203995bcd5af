package kafka

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Outage waits out the failures of one repeated Kafka operation (a fetch
// loop, a follower, a flush): each failure waits with the Backoff, the first
// is logged as a warning and the recovery as info (not every attempt), and
// Err reports the failure for a readiness check until an attempt succeeds.
// It is safe for concurrent use; one goroutine should drive it.
type Outage struct {
	what    string
	backoff Backoff
	log     *zap.Logger
	now     func() time.Time

	mu       sync.Mutex
	attempts int // consecutive failures
	since    time.Time
	last     error
}

// NewOutage returns an Outage for the operation named what ("follow table
// engagehub.schemas"), logging to log (nil: nowhere) and reading time from
// now (nil: time.Now).
func NewOutage(what string, b Backoff, log *zap.Logger, now func() time.Time) *Outage {
	if log == nil {
		log = zap.NewNop()
	}
	if now == nil {
		now = time.Now
	}
	return &Outage{what: what, backoff: b, log: log, now: now}
}

// Failed records err and waits before the next attempt. It returns false
// when ctx is done (the caller stops), true when it is time to try again.
func (o *Outage) Failed(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	o.mu.Lock()
	o.attempts++
	n := o.attempts
	o.last = err
	if n == 1 {
		o.since = o.now()
	}
	o.mu.Unlock()
	if n == 1 {
		o.log.Warn(o.what+" failed; retrying until kafka answers", zap.Error(err))
	}
	return o.backoff.Wait(ctx, n)
}

// Succeeded ends a failure, if there was one.
func (o *Outage) Succeeded() {
	o.mu.Lock()
	n, since := o.attempts, o.since
	o.attempts, o.last = 0, nil
	o.mu.Unlock()
	if n > 0 {
		o.log.Info(o.what+" works again", zap.Int("attempt", n+1), zap.Duration("duration", o.now().Sub(since)))
	}
}

// Err is nil unless the last attempt failed; then it names the operation,
// how long it has failed and the last error.
func (o *Outage) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.attempts == 0 {
		return nil
	}
	return fmt.Errorf("%s: failing for %s (%d attempts): %w",
		o.what, o.now().Sub(o.since).Round(time.Second), o.attempts, o.last)
}

// Ready is Err as a readiness check.
func (o *Outage) Ready(context.Context) error { return o.Err() }
