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
// MemoryRetryMax, engagehub.retry.<sub>.<delay>. Every record in a tier was
// written with (about) the same delay, so a tier partition is in due order and
// its reader only ever waits for the record at its head. Readers start lazily:
// at worker start for tiers with uncommitted records, or at the first write.

func tierDelays(cfg Config) []time.Duration {
	var ds []time.Duration
	for _, d := range cfg.RetrySchedule {
		if d > cfg.MemoryRetryMax && !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	return ds
}

// tierFor is the shortest tier at least d long, else the longest.
func (w *Worker) tierFor(d time.Duration) time.Duration {
	for _, t := range w.tiers {
		if t >= d {
			return t
		}
	}
	return w.tiers[len(w.tiers)-1]
}

func (w *Worker) tierTopic(t time.Duration) string {
	return w.cfg.Topics.RetryPrefix + w.ep.ID + "." + shortDuration(t)
}

func (w *Worker) tierGroup(t time.Duration) string {
	return w.group() + "-retry-" + shortDuration(t)
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

// toTier writes j to the tier for delay d as its contact's head.
func (w *Worker) toTier(ctx context.Context, j *job, d time.Duration) verdict {
	t := w.tierFor(d)
	due := w.clock.Now().Add(max(d, t))
	topic := w.tierTopic(t)
	m := w.retryRecord(j, topic, due, false)
	if !w.ensureTier(ctx, t) || !w.write(ctx, m) {
		return verdict{}
	}
	return verdict{settled: true, tier: topic, due: due}
}

// park writes j, unattempted, behind its contact's head in topic.
func (w *Worker) park(ctx context.Context, j *job, topic string, due time.Time) verdict {
	t := w.tierOfTopic(topic)
	m := w.retryRecord(j, topic, due, true)
	if !w.ensureTier(ctx, t) || !w.write(ctx, m) {
		return verdict{}
	}
	return verdict{settled: true}
}

func (w *Worker) tierOfTopic(topic string) time.Duration {
	for _, t := range w.tiers {
		if w.tierTopic(t) == topic {
			return t
		}
	}
	return w.tiers[len(w.tiers)-1]
}

func (w *Worker) retryRecord(j *job, topic string, due time.Time, parked bool) kafka.Message {
	kv := []string{event.HeaderRetryAttempt, strconv.Itoa(j.attempts), event.HeaderRetryDue, due.UTC().Format(time.RFC3339Nano)}
	if parked {
		kv = append(kv, event.HeaderRetryParked, "true")
	}
	return kafka.Message{Topic: topic, Key: j.msg.Key, Value: j.msg.Value, Headers: withHeaders(j.msg.Headers, kv...)}
}

// ensureTier makes sure the tier topic exists and, unless the worker is
// stopping, that its reader runs. No lock is held during I/O.
func (w *Worker) ensureTier(ctx context.Context, t time.Duration) bool {
	w.tierMu.Lock()
	on := w.tierOn[t]
	w.tierMu.Unlock()
	if on {
		return true
	}
	topic := w.tierTopic(t)
	if !w.retryIO(ctx, "ensure retry tier", topic, func() error { return w.deps.Broker.Ensure(ctx, topic) }) {
		return false
	}
	var src Source
	open := func() (err error) { src, err = w.deps.Broker.Open(ctx, topic, w.tierGroup(t)); return err }
	if !w.retryIO(ctx, "open retry tier", topic, open) {
		return false
	}
	w.tierMu.Lock()
	defer w.tierMu.Unlock()
	if w.tierOn[t] || w.closing {
		_ = src.Close() // another caller won, or the worker stops: records wait in Kafka
		return true
	}
	w.tierOn[t] = true
	w.startStream(src, topic, t)
	return true
}

// retryIO runs f until it succeeds or ctx ends, logging failures.
func (w *Worker) retryIO(ctx context.Context, what, topic string, f func() error) bool {
	for ctx.Err() == nil {
		err := f()
		if err == nil {
			return true
		}
		w.log.Warn(what+" failed", zap.String("topic", topic), zap.Error(err))
		if !waitReal(ctx, time.Second) {
			break
		}
	}
	return false
}

// write writes m durably, retrying until it succeeds or ctx ends.
func (w *Worker) write(ctx context.Context, m kafka.Message) bool {
	for {
		err := w.deps.Sink.WriteMessages(ctx, m)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		w.log.Warn("write failed", zap.String("topic", m.Topic), zap.Error(err))
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
