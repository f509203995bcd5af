package delivery

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// Retry tiers: one topic per distinct schedule delay longer than
// MemoryRetryMax, engagehub.retry.<delay>, shared by every subscription
// (the record's subscription header says whose it is). A retry goes to the
// tier of its nominal (unjittered) delay and carries its own due time, so
// the records of a tier partition are due in write order give or take the
// jitter: the mover, waiting for each partition's head, moves every record
// within its delay ± jitter. When due, the mover writes the record back to
// its subscription's delivery topic, where the worker attempts it again.

// tier is one retry-tier topic.
type tier struct {
	delay time.Duration
	topic string
}

func tiersOf(cfg Config) []tier {
	var ds []time.Duration
	for _, d := range cfg.RetrySchedule {
		if d > cfg.MemoryRetryMax && !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	out := make([]tier, len(ds))
	for i, d := range ds {
		out[i] = tier{delay: d, topic: cfg.Topics.RetryPrefix + shortDuration(d)}
	}
	return out
}

// tierFor is the longest tier not longer than d (a Retry-After longer than
// every tier waits in the longest, moved on by the mover until due), else
// the shortest.
func tierFor(tiers []tier, d time.Duration) tier {
	best := tiers[0]
	for _, t := range tiers {
		if t.delay <= d {
			best = t
		}
	}
	return best
}

func tierOfTopic(tiers []tier, topic string) (tier, bool) {
	for _, t := range tiers {
		if t.topic == topic {
			return t, true
		}
	}
	return tier{}, false
}

// shortDuration prints 5m0s as 5m and 2h0m0s as 2h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// toTier writes j, due after d, to the tier of its nominal delay, as its
// contact's head.
func (w *Worker) toTier(ctx context.Context, j *job, d, nominal time.Duration) verdict {
	t := tierFor(w.tiers, nominal)
	due := w.clock.Now().Add(d)
	if !write(ctx, w.deps.Sink, w.log, w.retryRecord(j, t.topic, due, false)) {
		return verdict{}
	}
	w.pending.Inc()
	return verdict{settled: true, tier: t.topic, due: due}
}

// park writes j, unattempted, behind its contact's head in topic.
func (w *Worker) park(ctx context.Context, j *job, topic string, due time.Time) verdict {
	if !write(ctx, w.deps.Sink, w.log, w.retryRecord(j, topic, due, true)) {
		return verdict{}
	}
	w.pending.Inc()
	return verdict{settled: true}
}

func (w *Worker) retryRecord(j *job, topic string, due time.Time, parked bool) kafka.Message {
	kv := []string{event.HeaderRetryAttempt, strconv.Itoa(j.attempts), event.HeaderRetryDue, due.UTC().Format(time.RFC3339Nano),
		event.HeaderSubscription, w.ep.ID}
	if parked {
		kv = append(kv, event.HeaderRetryParked, "true")
	}
	hs := withHeaders(dropHeader(j.msg.Headers, event.HeaderSubscription), kv...)
	return kafka.Message{Topic: topic, Key: j.msg.Key, Value: j.msg.Value, Headers: hs}
}

// retryIO runs f until it succeeds or ctx ends, logging failures.
func retryIO(ctx context.Context, log *zap.Logger, what, topic string, f func() error) bool {
	for ctx.Err() == nil {
		err := f()
		if err == nil {
			return true
		}
		log.Warn(what+" failed", zap.String("topic", topic), zap.Error(err))
		if !waitReal(ctx, time.Second) {
			break
		}
	}
	return false
}

// write writes msgs durably, retrying until it succeeds or ctx ends.
func write(ctx context.Context, sink Sink, log *zap.Logger, msgs ...kafka.Message) bool {
	for {
		err := sink.WriteMessages(ctx, msgs...)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		log.Warn("write failed", zap.String("topic", msgs[0].Topic), zap.Int("count", len(msgs)), zap.Error(err))
		if !waitReal(ctx, time.Second) {
			return false
		}
	}
}

// waitReal waits d of wall time (an I/O backoff, not a schedule).
func waitReal(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
