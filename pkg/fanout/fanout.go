package fanout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

// Source is where event records come from: a consumer-group reader.
type Source interface {
	// Fetch returns the next record, blocking until one arrives or ctx is
	// done (then it returns ctx's error and consumes nothing). It commits
	// nothing.
	Fetch(ctx context.Context) (kafka.Message, error)
	// Commit marks the records processed; the caller commits only after
	// every copy of them is acknowledged. An error is retriable by
	// committing again.
	Commit(ctx context.Context, msgs ...kafka.Message) error
}

// Sink writes copies, each naming its topic.
type Sink interface {
	// WriteMessages returns once every message is acknowledged by all
	// in-sync replicas. On error some may have been written: the caller
	// retries the whole batch (duplicates are fine, loss is not). After a
	// successful return it must not use msgs (or their headers) any more:
	// fan-out reuses their memory for the next batch.
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// TopicCreator creates the topics copies go to.
type TopicCreator interface {
	// EnsureTopics creates missing topics; existing ones are success.
	EnsureTopics(ctx context.Context, specs ...kafka.TopicSpec) error
}

// Decoder decodes the parts of an Avro event record that fan-out needs:
// the payload fields its subscriptions' filters read and, for json
// copies and payload.unknown, Raw, the original envelope JSON
// (schema.Serde implements it).
type Decoder interface {
	// Project decodes what p names into f and leaves the rest out (see
	// schema.Serde.Project: fan-out reuses one Fields per goroutine).
	// Errors wrapping ErrUndecodable are permanent; any other is retried.
	Project(ctx context.Context, value []byte, p schema.Projection, f *schema.Fields) error
}

// Deps are a Fanout's collaborators.
type Deps struct {
	Source  Source
	Sink    Sink
	Topics  TopicCreator
	Matcher *subscription.Matcher
	// Decoder is needed by Kafka subscriptions with format json and by
	// filters that read the payload. Errors wrapping ErrUndecodable are
	// permanent (the event is dead-lettered), others are retried.
	Decoder Decoder
	// EventPrefix is kafka.topic_prefix ("engage."): the event type of a
	// record without an event-type header is its topic minus the prefix.
	EventPrefix string
	// DeliveryPrefix is subscriptions.delivery_prefix ("engagehub.deliver.").
	DeliveryPrefix string
	// DeliveryPartitions is subscriptions.delivery_partitions: the
	// partitions of the delivery topics fan-out creates (0: kafka.partitions).
	DeliveryPartitions int
	// DeadLetterPrefix is sender.topics.dlq_prefix: an event that cannot
	// be decoded for a subscription goes to DeadLetterPrefix+id. Default
	// DefaultDeadLetterPrefix.
	DeadLetterPrefix string
	// Now stamps dead letters. Default time.Now.
	Now func() time.Time
	// Registerer takes the role's metrics; nil registers nowhere.
	Registerer prometheus.Registerer
	Log        *zap.Logger
	// Backoff paces the attempts after a failed fetch, write or commit
	// (cmd passes kafka.retry_backoff_max as Max). A zero Min is
	// fanout.retry_backoff.
	Backoff kafka.Backoff
	// Tracer makes a span per copy, a child of the event's traceparent,
	// whose context the copy carries. Default nil: no spans; copies keep
	// the event's headers, its traceparent included.
	Tracer *telemetry.Tracer
}

// Fanout is the fan-out role.
type Fanout struct {
	cfg     Config
	deps    Deps
	log     *zap.Logger
	metrics *metrics
	topics  *topicCache
	targets *targets
	buf     buffers // only the writing goroutine uses it, as rec
	rec     record
	plans   plans  // the fetching goroutine's
	aheads  aheads // decisions of batches, recycled by the writing goroutine
	now     func() time.Time
	// dlqPrefix names dead-letter topics.
	dlqPrefix string
	// unrecognized is the unrecognized events' topic.
	unrecognized string
	// types are the catalog's types by name.
	types   map[string]event.Type
	closers []func() error
	// background runs beside the loops, for as long as they work (the
	// source's consumer: commits need it).
	background []func(context.Context) error
	// fetching, writing and committing wait out failures of each loop.
	fetching, writing, committing *kafka.Outage
}

// New returns the role.
func New(cfg Config, deps Deps) *Fanout {
	if deps.Log == nil {
		deps.Log = zap.NewNop()
	}
	if deps.Backoff.Min <= 0 {
		deps.Backoff.Min = cfg.RetryBackoff
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.DeadLetterPrefix == "" {
		deps.DeadLetterPrefix = DefaultDeadLetterPrefix
	}
	outage := func(what string) *kafka.Outage { return kafka.NewOutage(what, deps.Backoff, deps.Log, nil) }
	progs := newPrograms(deps.Log)
	return &Fanout{cfg: cfg, deps: deps, log: deps.Log, metrics: newMetrics(deps.Registerer),
		topics:  newTopicCache(deps.Topics, deps.DeliveryPrefix, deps.DeliveryPartitions),
		targets: newTargets(deps.DeliveryPrefix, progs), plans: plans{progs: progs},
		unrecognized: event.UnrecognizedTopic(deps.EventPrefix), types: catalogTypes(), now: deps.Now, dlqPrefix: deps.DeadLetterPrefix,
		fetching: outage("fetch events"), writing: outage("write batch"), committing: outage("commit batch")}
}

// collect fetches the first record (waiting as long as it takes), then
// more until BatchSize, BatchCopies or Linger. It returns each record's
// event type too, read once here for the writer and the filters.
func (f *Fanout) collect(ctx context.Context) ([]kafka.Message, []event.Type, error) {
	first, err := f.deps.Source.Fetch(ctx)
	if err != nil {
		return nil, nil, err
	}
	batch := make([]kafka.Message, 1, f.cfg.BatchSize)
	types := make([]event.Type, 1, f.cfg.BatchSize)
	batch[0], types[0] = first, f.eventType(&first)
	snap := f.deps.Matcher.Load()
	copies := len(snap.Match(types[0]))
	lctx, cancel := context.WithTimeout(ctx, f.cfg.Linger)
	defer cancel()
	for len(batch) < f.cfg.BatchSize && copies < f.cfg.BatchCopies {
		m, err := f.deps.Source.Fetch(lctx)
		if err != nil {
			break // linger over, or ctx done: settle what we have
		}
		typ := f.eventType(&m)
		batch, types = append(batch, m), append(types, typ)
		copies += len(snap.Match(typ))
	}
	return batch, types, nil
}

func catalogTypes() map[string]event.Type {
	out := map[string]event.Type{}
	for _, s := range event.Catalog() {
		out[string(s.Type)] = s.Type
	}
	return out
}

// shutdownContext outlives ctx by the shutdown timeout, so the batches in
// hand are finished on a soft stop.
func (f *Fanout) shutdownContext(ctx context.Context) (context.Context, context.CancelFunc) {
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(f.cfg.ShutdownTimeout, cancel) })
	return work, func() { stop(); cancel() }
}

// retry runs op until it succeeds or ctx is done, waiting out failures
// with o.
func (f *Fanout) retry(ctx context.Context, o *kafka.Outage, op func() error) {
	for {
		err := op()
		switch {
		case err == nil:
			o.Succeeded()
			return
		case !o.Failed(ctx, err):
			return
		}
	}
}

// write makes and writes every copy (and dead letter) of batch and returns
// what each subscription got. a, when not nil, holds filter decisions made
// ahead. When the snapshot has subscriptions whose topics do not exist
// yet, those are created while the other copies are written, and their
// copies follow once they exist: a new subscription's topic never holds
// the others' copies up. The batch counts as written only when all are.
func (f *Fanout) write(ctx context.Context, batch []kafka.Message, types []event.Type, a *ahead) (map[string]outcomes, error) {
	snap := f.deps.Matcher.Load()
	var cr *creation
	missing := f.topics.missing(snap)
	if len(missing) > 0 {
		cr = f.topics.startCreating(ctx, missing)
	}
	f.targets.load(snap)
	out, err := f.copies(ctx, snap, batch, types, a)
	if err == nil && f.targets.deadLettered() {
		err = f.topics.ensureNamed(ctx, dlqTopics(out, f.dlqPrefix))
	}
	if err != nil {
		f.buf.reuse()
		return nil, err
	}
	copies := f.targets.counts()
	start := f.now()
	if err := f.writeCopies(ctx, out, cr); err != nil {
		f.buf.drop()
		return nil, err
	}
	f.topics.created(snap, missing)
	if len(out) > 0 {
		end := f.now()
		f.metrics.batchWrite.Observe(end.Sub(start).Seconds())
		f.metrics.written(batch, end)
	}
	f.buf.reuse()
	return copies, nil
}

// writeCopies writes out: at once, or, with topics being created (cr),
// the copies for the others first and the new topics' once they exist.
func (f *Fanout) writeCopies(ctx context.Context, out []kafka.Message, cr *creation) error {
	if cr == nil {
		return f.send(ctx, out)
	}
	ready, pending := cr.split(out)
	if err := f.send(ctx, ready); err != nil {
		return err
	}
	if err := cr.wait(); err != nil {
		return err
	}
	return f.send(ctx, pending)
}

func (f *Fanout) send(ctx context.Context, msgs []kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := f.deps.Sink.WriteMessages(ctx, msgs...); err != nil {
		return errors.Join(fmt.Errorf("fanout: write %d copies", len(msgs)), err)
	}
	return nil
}
