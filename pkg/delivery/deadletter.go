package delivery

import (
	"context"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// deadLetter writes j to engagehub.dlq.<sub>: the original key and value,
// its headers, and the last status, error class/message, attempts and time.
func (w *Worker) deadLetter(ctx context.Context, j *job, res Result, out Outcome) verdict {
	reason := out.Class
	if res.Err != nil {
		reason += ": " + res.Err.Error()
	}
	m := kafka.Message{Topic: w.dlqTopic(), Key: j.msg.Key, Value: j.msg.Value, Headers: withHeaders(j.msg.Headers,
		event.HeaderDLQStatus, strconv.Itoa(res.Status), event.HeaderDLQError, reason,
		event.HeaderDLQAttempts, strconv.Itoa(j.attempts), event.HeaderDLQAt, w.clock.Now().UTC().Format(time.RFC3339Nano),
		event.HeaderSubscription, w.ep.ID)}
	if !w.ensureDLQ(ctx) || !write(ctx, w.deps.Sink, w.log, m) {
		return verdict{}
	}
	w.deps.Metrics.deadLetters.WithLabelValues(w.ep.ID).Inc()
	w.log.Info("dead-lettered", zap.String("event_id", j.id), zap.String("event_type", j.typ),
		zap.Int("attempt", j.attempts), zap.Int("status", res.Status), zap.String("class", out.Class))
	return verdict{settled: true}
}

func (w *Worker) ensureDLQ(ctx context.Context) bool {
	if w.dlqReady.Load() {
		return true
	}
	topic := w.dlqTopic()
	ok := retryIO(ctx, w.log, "ensure dead-letter topic", topic, func() error { return w.deps.Broker.Ensure(ctx, 0, topic) })
	w.dlqReady.Store(ok)
	return ok
}
