package delivery

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// process attempts j until it settles (delivered, dead-lettered, or handed to
// a retry tier) or ctx (the hard stop) ends it unsettled.
func (w *Worker) process(ctx context.Context, j *job) verdict {
	if j.bad != nil {
		return w.deadLetter(ctx, j, Result{Err: j.bad}, Outcome{Kind: DeadLetter, Class: "bad_record"})
	}
	body, v, ok := w.decode(ctx, j)
	if !ok {
		return v
	}
	req, v, ok := w.request(ctx, j, body)
	if !ok {
		return v
	}
	for {
		res, out, ok := w.attempt(ctx, j, req)
		if !ok {
			return verdict{}
		}
		switch out.Kind {
		case Delivered:
			return verdict{settled: true}
		case Disable:
			w.disable(ctx, disableReason(out))
			return verdict{}
		case DeadLetter:
			return w.deadLetter(ctx, j, res, out)
		}
		if j.heldOpen {
			j.attempts-- // while the circuit is open, failures do not burn the schedule
			continue
		}
		if v, done := w.retry(ctx, j, res, out); done {
			return v
		}
	}
}

// attempt takes an in-flight slot, then waits for the rate limit, then to
// be admitted (a shared send slot and the circuit), then sends once in the
// attempt's span and records the outcome (circuit, metrics, attempt log,
// j.heldOpen) before giving its slots back, so that the next attempt is
// admitted by the circuit as this one left it: with MaxInFlight 1 no
// request slips through between the failure that opens it and the
// opening. ok is false when ctx ended first.
func (w *Worker) attempt(ctx context.Context, j *job, req Request) (Result, Outcome, bool) {
	select {
	case w.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, Outcome{}, false
	}
	defer func() { <-w.slots }()
	if !w.throttle(ctx) || !w.admitted(ctx) {
		return Result{}, Outcome{}, false
	}
	defer w.sup.releaseSend()
	if j.attempts == 0 && !j.returning && !j.msg.Time.IsZero() {
		w.deps.Metrics.delay.Observe(max(w.clock.Now().Sub(j.msg.Time).Seconds(), 0))
	}
	ctx, span := w.startAttempt(ctx, j, &req)
	w.inFlight.Inc()
	res := w.sender.Load().SendRequest(ctx, MessageID(j.id), req)
	w.inFlight.Dec()
	if ctx.Err() != nil {
		span.End()
		return Result{}, Outcome{}, false
	}
	out := ClassifyResult(res, w.clock.Now())
	endAttempt(span, res, out)
	j.attempts++
	w.observe(j, res, out)
	// Whether this failure is one the open circuit holds (kept in memory)
	// or one before it opened (retried on schedule) is decided as this
	// attempt left the circuit: once the slot is back, the next attempt
	// may fail and open it.
	j.heldOpen = w.breaker.isOpen()
	return res, out, true
}

// admitted takes one of the sender's MaxInFlightTotal send slots and then
// asks the circuit, last, so that no request queued behind the slots slips
// through after it opened. A request the open circuit holds back gives its
// shared slot back while it waits for the next probe time: a dead
// endpoint holds none of them. The caller releases the slot after sending.
func (w *Worker) admitted(ctx context.Context) bool {
	for {
		if !w.sup.acquireSend(ctx, w.ep.ID) {
			return false
		}
		ok, changed, at := w.breaker.try()
		if ok {
			return true
		}
		w.sup.releaseSend()
		if !w.breaker.waitChange(ctx, changed, at) {
			return false
		}
	}
}

// retry waits in memory for a short delay (done false: attempt again), hands
// the job to a retry tier for a long one, or dead-letters it when the
// schedule is exhausted.
func (w *Worker) retry(ctx context.Context, j *job, res Result, out Outcome) (verdict, bool) {
	d, ok := w.sched.Next(j.attempts)
	if !ok {
		return w.deadLetter(ctx, j, res, out), true
	}
	nominal, _ := w.sched.Nominal(j.attempts)
	if out.After > 0 {
		d, nominal = out.After, out.After
	} else if d > w.cfg.MemoryRetryMax {
		d, nominal = w.tierWait(d, nominal)
	}
	if d > w.cfg.MemoryRetryMax && len(w.tiers) > 0 {
		return w.toTier(ctx, j, d, nominal), true
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
	a := Attempt{Subscription: id, EventID: j.id, EventType: j.typ, ContactID: j.key, Attempt: j.attempts, Status: res.Status,
		LatencyMS: float64(res.Latency) / float64(time.Millisecond), Outcome: out.Kind.String(), Class: out.Class, At: w.clock.Now(),
		Topic: j.msg.Topic, Partition: j.msg.Partition, Offset: j.msg.Offset,
		ResponseBody: res.Body, ResponseTruncated: res.Truncated, header: res.Header}
	if res.Err != nil {
		a.Error = res.Err.Error()
	}
	a.NextRetryAt = w.nextRetryAt(j, out, a.At)
	w.deps.Attempts.Record(a)
}

// nextRetryAt is when a retried attempt is tried again: the receiver's
// Retry-After, else the schedule's nominal delay; nil when it is not
// retried (delivered, dead-lettered, or the schedule is exhausted).
func (w *Worker) nextRetryAt(j *job, out Outcome, now time.Time) *time.Time {
	if out.Kind != Retry {
		return nil
	}
	d, ok := w.sched.Nominal(j.attempts)
	if out.After > 0 {
		d, ok = out.After, true
	}
	if !ok {
		return nil
	}
	at := now.Add(d)
	return &at
}

// safeProcess is process behind the worker boundary: a panic while handling
// one record (a bug, or input nobody foresaw) dead-letters that record with
// the panic as its reason, is counted and logged once with the record's
// coordinates, and the subscription goes on.
func (w *Worker) safeProcess(ctx context.Context, j *job) (v verdict) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		w.deps.Metrics.panics.WithLabelValues(w.ep.ID).Inc()
		w.log.Error("panic handling a record; dead-lettering it", zap.String("topic", j.msg.Topic),
			zap.Int("partition", j.msg.Partition), zap.Int64("offset", j.msg.Offset), zap.String("event_id", j.id),
			zap.Any("panic", r), zap.Stack("stack"))
		v = w.deadLetter(ctx, j, Result{Err: fmt.Errorf("panic: %v", r)}, Outcome{Kind: DeadLetter, Class: "panic"})
	}()
	return w.process(ctx, j)
}
