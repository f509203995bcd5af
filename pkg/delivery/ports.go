package delivery

import (
	"context"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Feed is one consumer-group member over many topics: every subscription's
// delivery topic, or the shared retry tiers (kafka.GroupConsumer).
type Feed interface {
	// SetTopics replaces the topics consumed (they exist); the group is
	// rejoined shortly after, once for a burst of changes.
	SetTopics(topics []string)
	// Run hands records of the partitions this member owns to h, fetching a
	// partition only while h says it is Ready, until ctx ends (then it stops
	// fetching and returns). Broker outages are waited out.
	Run(ctx context.Context, h kafka.ConsumerHandler) error
	// Commit commits, per partition, the offset of the last settled record;
	// partitions no longer owned are left out. Errors are retriable.
	Commit(offsets map[kafka.TopicPartition]int64) error
	// Wake tells the fetch loop that a partition may have become Ready.
	Wake()
	// Member reports whether the member is in its group with the topics
	// last set: false while joining or while Kafka is away.
	Member() bool
	// Owned lists the partitions this member owns now.
	Owned() []kafka.TopicPartition
	// HighWatermarks returns, per owned partition, the offset its next
	// record will get, as of the last fetch (no request to the brokers).
	HighWatermarks() map[kafka.TopicPartition]int64
	// Close leaves the group; uncommitted records are redelivered.
	Close() error
}

// Broker is the topic administration and backlog reading the sender needs.
type Broker interface {
	// Ensure creates the topics that do not exist yet, with partitions
	// partitions (0: the cluster's default). Errors are retriable.
	Ensure(ctx context.Context, partitions int, topics ...string) error
	// Uncommitted hands visit, in offset order per partition, every record of
	// topic after group's committed offsets, up to the end present at the
	// call; nothing when the topic does not exist. Errors are retriable.
	Uncommitted(ctx context.Context, topic, group string, visit func(kafka.Message)) error
	// Topics lists the topics whose names start with prefix.
	Topics(ctx context.Context, prefix string) ([]string, error)
}

// Sink writes records durably (acks=all); on error some may have been
// written, and the caller retries the whole batch.
type Sink interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Decoder turns a delivery-topic record value into the webhook body: the
// event's original envelope JSON. cmd wires it to schema.Serde.Raw.
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

// RecordFilter is a subscription's filter over event-topic records, as
// fan-out applies it; replay applies the subscription's current one.
type RecordFilter interface {
	// Keep reports whether fan-out would copy m to the subscription. An
	// error means it cannot tell: the record is not copied.
	Keep(ctx context.Context, m kafka.Message) (bool, error)
}
