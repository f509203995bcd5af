package delivery

import "time"

// Per-subscription overrides (Endpoint.RetrySchedule, Timeout,
// MaxInFlight) replace the config's defaults in withDefaults. The retry
// tiers are the config's (one topic per delay of sender.retry_schedule
// longer than sender.memory_retry_max), so an override's delay that
// waits in a tier is rounded up to the tier's: see tierWait.

// tierWait returns the wait and nominal delay a retry waits in a tier
// with: d and nominal unchanged when nominal is a tier's delay (always
// so for the config's schedule, and for a Retry-After, which the mover
// carries round its tier); otherwise those of the shortest tier not
// shorter than nominal (the longest when none is), d scaled alike so the
// jitter is kept. A record in a tier is then due when the records ahead
// of it are, and never round the tier again.
func (w *Worker) tierWait(d, nominal time.Duration) (time.Duration, time.Duration) {
	if nominal <= 0 || len(w.tiers) == 0 {
		return d, nominal
	}
	best := w.tiers[len(w.tiers)-1]
	for i := len(w.tiers) - 1; i >= 0; i-- {
		t := w.tiers[i]
		if t.delay == nominal {
			return d, nominal
		}
		if t.delay >= nominal {
			best = t
		}
	}
	return time.Duration(float64(d) * float64(best.delay) / float64(nominal)), best.delay
}
