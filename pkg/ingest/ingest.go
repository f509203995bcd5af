package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/producer"
	"github.com/engagehub/engagehub/pkg/telemetry"
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
	// Journal opens the dedup window's shared copy (KafkaJournal): Run
	// replays it before opening the doors, so the window survives restarts,
	// then follows it and publishes the ids this replica writes, so replicas
	// share one window. Default nil: the window is this process's alone,
	// starts empty, and the doors are open at once.
	Journal JournalOpener
	// Responses opens the idempotency window's shared copy
	// (KafkaResponses): Run replays it (idempotent requests get 503 until
	// then), follows it, and publishes each first response before it is
	// sent. Default nil: the window is this process's alone.
	Responses ResponseLogOpener
	// Backoff paces the attempts to replay, follow and publish the journal
	// while Kafka is away. Default: kafka.Backoff's defaults.
	Backoff kafka.Backoff
	// Tracer makes the spans of each request (verify, encode, produce)
	// whose context the records carry. Default nil: no spans, and a
	// caller's well-formed traceparent is carried as it came.
	Tracer *telemetry.Tracer
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
	journal    JournalOpener
	outbox     *outbox
	backoff    kafka.Backoff
	rebuild    *kafka.Outage
	budget     *budget
	metrics    *metrics
	log        *zap.Logger
	now        func() time.Time
	retryAfter int
	tracer     *telemetry.Tracer
	ready      atomic.Bool

	responses      *responses
	responseOpener ResponseLogOpener
	responseLog    atomic.Pointer[ResponseLog]
	idemReady      atomic.Bool
}

// New returns an Ingest encoding with enc (a *schema.Serde, prepared) and
// writing through sink (a *kafka.Writer) with acks=all.
func New(cfg Config, enc producer.Encoder, sink producer.Sink, opts Options) (*Ingest, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	opts = withDefaults(opts)
	in := &Ingest{
		cfg: cfg, sink: sink, journal: opts.Journal, log: opts.Log, now: opts.Now, backoff: opts.Backoff, tracer: opts.Tracer,
		outbox:         newOutbox(cfg.DedupCapacity),
		rebuild:        kafka.NewOutage("rebuild dedup window", opts.Backoff, opts.Log, opts.Now),
		prod:           producer.New(enc, sink, producer.WithClock(opts.Now)),
		dedup:          NewDedup(cfg.DedupWindow, cfg.DedupCapacity, opts.Now),
		budget:         newBudget(cfg.MaxInFlightBytes),
		retryAfter:     max(1, int((cfg.WriteTimeout+time.Second-1)/time.Second)),
		responses:      newResponses(cfg.IdempotencyWindow, cfg.IdempotencyMaxBytes, opts.Now),
		responseOpener: opts.Responses,
	}
	in.idemReady.Store(opts.Responses == nil)
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
	in.ready.Store(in.journal == nil)
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

// Run rebuilds the dedup window from the Journal (when set), opens the
// doors, then follows the journal and publishes the ids written here until
// ctx is done. Until the window is rebuilt both doors answer 503 with
// Retry-After; a Kafka outage meanwhile (or later) is waited out, retrying
// with Options.Backoff, so Run returns only when ctx is done, and then nil.
func (in *Ingest) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if in.responseOpener != nil {
		wg.Go(func() { in.runResponses(ctx) })
	}
	err := in.runJournal(ctx)
	wg.Wait()
	return err
}

// runJournal is Run for the dedup window.
func (in *Ingest) runJournal(ctx context.Context) error {
	if in.journal == nil {
		<-ctx.Done()
		return nil
	}
	j, ok := in.openJournal(ctx)
	if !ok {
		return nil
	}
	in.ready.Store(true)
	var wg sync.WaitGroup
	wg.Go(func() { _ = j.Run(ctx) })
	in.share(ctx, j)
	wg.Wait()
	return j.Close()
}

// openJournal replays the window, retrying until it works or ctx is done.
func (in *Ingest) openJournal(ctx context.Context) (Journal, bool) {
	for {
		start := in.now()
		j, err := in.journal(ctx, start.Add(-in.cfg.DedupWindow), in.dedup.Remember)
		if err == nil {
			in.rebuild.Succeeded()
			in.log.Info("dedup window rebuilt", zap.Int("ids", in.dedup.Len()), zap.Duration("duration", in.now().Sub(start)))
			return j, true
		}
		if !in.rebuild.Failed(ctx, err) {
			return nil, false
		}
	}
}

// Ready is a readiness check: nil once the dedup window is rebuilt.
func (in *Ingest) Ready(context.Context) error {
	if !in.idemReady.Load() {
		return errors.New("ingest: rebuilding idempotency window")
	}
	if in.ready.Load() {
		return nil
	}
	if err := in.rebuild.Err(); err != nil {
		return fmt.Errorf("ingest: rebuilding dedup window: %w", err)
	}
	return errors.New("ingest: rebuilding dedup window")
}

// Dedup exposes the dedup set (for tests and metrics).
func (in *Ingest) Dedup() *Dedup { return in.dedup }
