package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/producer"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// Options carries ingest's collaborators besides its config.
type Options struct {
	// Metrics registers ingest's series. Default: a private registry.
	Metrics prometheus.Registerer
	// Log is named by the caller. Default: zap.NewNop().
	Log *zap.Logger
	// Now is the clock for signatures, receive times and the dedup window.
	// Default time.Now.
	Now func() time.Time
	// History replays the message ids of recent records when Run starts, so
	// the dedup window survives restarts. Default nil: the window starts
	// empty and the doors are open at once.
	History History
}

// Ingest serves the two ingest doors. Build it with New, mount Routes, and
// run Run (which rebuilds the dedup window, then opens the doors).
type Ingest struct {
	cfg        Config
	verifier   *webhook.Verifier // nil when no secret is configured
	decrypt    *decryptor        // nil without a decryption key
	prod       *producer.Producer
	sink       producer.Sink
	dedup      *Dedup
	budget     *budget
	history    History
	metrics    *metrics
	log        *zap.Logger
	now        func() time.Time
	retryAfter int
	ready      atomic.Bool
}

// New returns an Ingest encoding with enc (a *schema.Serde, prepared) and
// writing through sink (a *kafka.Writer) with acks=all.
func New(cfg Config, enc producer.Encoder, sink producer.Sink, opts Options) (*Ingest, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	opts = withDefaults(opts)
	in := &Ingest{
		cfg: cfg, sink: sink, history: opts.History, log: opts.Log, now: opts.Now,
		prod:       producer.New(enc, sink, producer.WithClock(opts.Now)),
		dedup:      NewDedup(cfg.DedupWindow, cfg.DedupCapacity, opts.Now),
		budget:     newBudget(cfg.MaxInFlightBytes),
		retryAfter: max(1, int((cfg.WriteTimeout+time.Second-1)/time.Second)),
	}
	var err error
	if in.metrics, err = newMetrics(opts.Metrics, in.budget); err != nil {
		return nil, fmt.Errorf("ingest: metrics: %w", err)
	}
	if in.decrypt, err = newDecryptor(cfg.Engage.DecryptionKey.Reveal()); err != nil {
		return nil, err
	}
	if in.verifier, err = newVerifier(cfg, opts.Now); err != nil {
		return nil, err
	}
	in.ready.Store(in.history == nil)
	return in, nil
}

func withDefaults(o Options) Options {
	if o.Metrics == nil {
		o.Metrics = prometheus.NewRegistry()
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func newVerifier(cfg Config, now func() time.Time) (*webhook.Verifier, error) {
	secrets, err := cfg.secrets()
	if err != nil || len(secrets) == 0 {
		return nil, err
	}
	v, err := webhook.NewVerifier(secrets, cfg.Engage.Tolerance, now)
	if err != nil {
		return nil, fmt.Errorf("ingest: ingest.engage.secrets: %w", err)
	}
	return v, nil
}

// Routes returns POST /ingest/engage (signature-verified, not bearer
// authenticated) and POST /v1/events (bearer authenticated).
func (in *Ingest) Routes() []httpapi.Route {
	return []httpapi.Route{
		{Method: http.MethodPost, Path: "/ingest/engage", Tag: "ingest",
			Summary: "Receive an Engage webhook (Svix / Standard Webhooks signature)",
			Handler: http.HandlerFunc(in.serveEngage)},
		{Method: http.MethodPost, Path: "/v1/events", Tag: "ingest", Authenticated: true,
			Summary: "Publish one event or a batch (JSON array, all or nothing)",
			Handler: http.HandlerFunc(in.serveAPI)},
	}
}

// Run rebuilds the dedup window from History (when set), opens the doors,
// and waits for ctx. Until the window is rebuilt both doors answer 503 with
// Retry-After. It returns an error only when the rebuild fails.
func (in *Ingest) Run(ctx context.Context) error {
	if in.history != nil && !in.ready.Load() {
		start := in.now()
		since := start.Add(-in.cfg.DedupWindow)
		n, err := in.history.Recent(ctx, since, in.dedup.Remember)
		if err != nil {
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("ingest: rebuild dedup window: %w", err)
		}
		in.log.Info("dedup window rebuilt", zap.Int("ids", n), zap.Duration("duration", in.now().Sub(start)))
		in.ready.Store(true)
	}
	<-ctx.Done()
	return nil
}

// Ready is a readiness check: nil once the dedup window is rebuilt.
func (in *Ingest) Ready(context.Context) error {
	if !in.ready.Load() {
		return errors.New("ingest: rebuilding dedup window")
	}
	return nil
}

// Dedup exposes the dedup set (for tests and metrics).
func (in *Ingest) Dedup() *Dedup { return in.dedup }
