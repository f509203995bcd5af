package delivery

import (
	"context"
	"encoding/json"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// OperationalEvent is published on engagehub.operational.
type OperationalEvent struct {
	Type         string    `json:"type"` // "subscription.disabled"
	Subscription string    `json:"subscription"`
	Reason       string    `json:"reason"`
	At           time.Time `json:"at"`
}

// disable disables the subscription once: the Disabler, an operational event,
// a warning; then the worker stops at once (its partitions are no longer
// fetched), leaving what it holds uncommitted so that nothing is lost if the
// subscription is enabled again.
func (w *Worker) disable(ctx context.Context, reason string) {
	if !w.disabled.CompareAndSwap(false, true) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	id := w.ep.ID
	w.deps.Metrics.disabled.WithLabelValues(id).Inc()
	w.log.Warn("disabling subscription", zap.String("subscription", id), zap.String("reason", reason))
	if w.deps.Disabler != nil {
		if err := w.deps.Disabler.DisableSubscription(ctx, id, reason); err != nil {
			w.log.Error("disable subscription failed", zap.String("subscription", id), zap.Error(err))
		}
	}
	ev, _ := json.Marshal(OperationalEvent{Type: "subscription.disabled", Subscription: id, Reason: reason, At: w.clock.Now().UTC()})
	m := kafka.Message{Topic: w.cfg.Topics.Operational, Key: []byte(id), Value: ev}
	if err := w.deps.Sink.WriteMessages(ctx, m); err != nil {
		w.log.Error("publish operational event failed", zap.String("topic", m.Topic), zap.Error(err))
	}
	w.stop()
}
