package delivery

import (
	"context"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Source is one consumer-group member reading one topic.
type Source interface {
	// Fetch returns the next record without committing it; it blocks until a
	// record arrives or ctx is done (then it returns ctx's error). A record may
	// be fetched again after a rebalance.
	Fetch(ctx context.Context) (kafka.Message, error)
	// Commit marks records processed, per partition up to the given offset.
	// The caller commits only settled records; an error is retriable by
	// committing again.
	Commit(ctx context.Context, msgs ...kafka.Message) error
	// Close leaves the group; uncommitted records are redelivered.
	Close() error
}

// Broker opens the sources a worker reads and reports their backlog.
type Broker interface {
	// Open ensures topic exists and joins group on it.
	Open(ctx context.Context, topic, group string) (Source, error)
	// Pending is how many records of topic group has not committed yet
	// (0 when the topic does not exist). Errors are retriable.
	Pending(ctx context.Context, topic, group string) (int64, error)
	// Ensure creates topic if it does not exist yet.
	Ensure(ctx context.Context, topic string) error
}

// Sink writes records durably (acks=all); on error some may have been
// written, and the caller retries the whole batch.
type Sink interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Decoder turns a delivery-topic record value into the webhook body: the
// event's original envelope JSON. cmd wires it to schema.Serde.Unmarshal.
type Decoder interface {
	// Body decodes value. An error wrapping ErrUndecodable (or
	// schema.ErrBadFraming) is permanent and dead-letters the record; any
	// other error is retried with backoff until it succeeds or ctx (the hard
	// stop) ends, which abandons the record uncommitted.
	Body(ctx context.Context, value []byte) ([]byte, error)
}

// Disabler disables a subscription (410 Gone, or failing for too long).
type Disabler interface {
	// DisableSubscription marks the subscription disabled with reason; errors
	// are logged and the worker stops anyway.
	DisableSubscription(ctx context.Context, id, reason string) error
}

// AttemptRecorder receives every delivery attempt; it must not block.
type AttemptRecorder interface {
	Record(a Attempt)
}
