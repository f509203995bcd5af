package delivery

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// process attempts j until it settles (delivered, dead-lettered, or handed to
// a retry tier) or ctx (the hard stop) ends it unsettled.
func (w *Worker) process(ctx context.Context, j *job) verdict {
	body, v, ok := w.decode(ctx, j)
	if !ok {
		return v
	}
	req, v, ok := w.request(ctx, j, body)
	if !ok {
		return v
	}
	for {
		res, ok := w.attempt(ctx, j, req)
		if !ok {
			return verdict{}
		}
		out := Classify(res.Status, res.RetryAfter, res.Err, w.clock.Now())
		j.attempts++
		w.observe(j, res, out)
		switch out.Kind {
		case Delivered:
			return verdict{settled: true}
		case Disable:
			w.disable(ctx, "receiver answered 410 Gone")
			return verdict{}
		case DeadLetter:
			return w.deadLetter(ctx, j, res, out)
		}
		if w.breaker.isOpen() {
			j.attempts-- // while the circuit is open, failures do not burn the schedule
			continue
		}
		if v, done := w.retry(ctx, j, res, out); done {
			return v
		}
	}
}

// attempt takes an in-flight slot, then waits for the circuit and the rate
// limit, then sends once. The circuit is consulted last but one, so that no
// request queued behind the slots slips through after it opened. ok is false
// when ctx ended first.
func (w *Worker) attempt(ctx context.Context, j *job, req Request) (Result, bool) {
	select {
	case w.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, false
	}
	defer func() { <-w.slots }()
	if !w.breaker.acquire(ctx) || !w.throttle(ctx) {
		return Result{}, false
	}
	w.inFlight.Inc()
	res := w.sender.SendRequest(ctx, MessageID(j.id), req)
	w.inFlight.Dec()
	return res, ctx.Err() == nil
}

// retry waits in memory for a short delay (done false: attempt again), hands
// the job to a retry tier for a long one, or dead-letters it when the
// schedule is exhausted.
func (w *Worker) retry(ctx context.Context, j *job, res Result, out Outcome) (verdict, bool) {
	d, ok := w.sched.Next(j.attempts)
	if !ok {
		return w.deadLetter(ctx, j, res, out), true
	}
	if out.After > 0 {
		d = out.After
	}
	if d > w.cfg.MemoryRetryMax && len(w.tiers) > 0 {
		return w.toTier(ctx, j, d), true
	}
	if d <= 0 {
		return verdict{}, false
	}
	select {
	case <-ctx.Done():
		return verdict{}, true
	case <-w.clock.After(d):
		return verdict{}, false
	}
}

// observe records one attempt in the breaker (a failing streak past
// DisableAfter disables), then in the metrics, the log and, last, the
// attempt log.
func (w *Worker) observe(j *job, res Result, out Outcome) {
	switch {
	case out.Kind == Retry:
		failing := w.breaker.failure()
		w.log.Debug("attempt failed", zap.String("event_id", j.id), zap.Int("attempt", j.attempts),
			zap.Int("status", res.Status), zap.String("class", out.Class))
		if failing >= w.cfg.DisableAfter {
			w.disable(context.Background(), "failing continuously since "+w.clock.Now().Add(-failing).UTC().Format(time.RFC3339))
		}
	case out.Class != "ssrf" && out.Class != "destination" && out.Class != "transform":
		w.breaker.success()
	}
	id := w.ep.ID
	w.deps.Metrics.deliveries.WithLabelValues(id, out.Kind.String()).Inc()
	w.latency.Observe(res.Latency.Seconds())
	if w.deps.Attempts == nil {
		return
	}
	a := Attempt{Subscription: id, EventID: j.id, EventType: j.typ, Attempt: j.attempts, Status: res.Status,
		LatencyMS: float64(res.Latency) / float64(time.Millisecond), Outcome: out.Kind.String(), Class: out.Class, At: w.clock.Now()}
	if res.Err != nil {
		a.Error = res.Err.Error()
	}
	w.deps.Attempts.Record(a)
}

// finish settles j (or abandons it unsettled) and frees its buffer slot.
func (w *Worker) finish(j *job, v verdict) {
	if v.settled {
		j.from.settle(j)
	}
	w.releaseBuffer()
}
