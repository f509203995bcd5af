package main

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/telemetry"
)

// startTracing sets up the tracer provider of telemetry.* (nothing when no
// OTLP endpoint is set); on close it exports what is buffered, for at most
// tracingFlush.
func (a *app) startTracing(ctx context.Context) error {
	if a.tracing == nil {
		t, err := telemetry.Setup(ctx, a.cfg.Telemetry, version, a.log.Named("telemetry"))
		if err != nil {
			return err
		}
		a.tracing = t
	}
	if a.cfg.Telemetry.Enabled() {
		a.log.Info("tracing on", zap.String("protocol", a.cfg.Telemetry.OTLP.Protocol))
	}
	t := a.tracing
	a.onClose(func() {
		ctx, cancel := context.WithTimeout(context.Background(), tracingFlush)
		defer cancel()
		if err := t.Shutdown(ctx); err != nil {
			a.log.Warn("tracing shutdown failed", zap.Error(err))
		}
	})
	return nil
}

// tracingFlush bounds the export of buffered spans at shutdown.
const tracingFlush = 5 * time.Second

// tracer is role's tracer: nil (no spans) when tracing is off.
func (a *app) tracer(role string) *telemetry.Tracer { return a.tracing.Tracer("engagehub/" + role) }
