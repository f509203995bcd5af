package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// WriterOptions tunes a Writer; the zero value is fit for low-latency
// request/response writes (ingest).
type WriterOptions struct {
	// BatchTimeout is how long a partial batch waits for more records.
	// Default 2ms: concurrent callers share batches, a lone caller waits little.
	BatchTimeout time.Duration
	// BatchSize caps records per partition batch. Default 1000.
	BatchSize int
	// WriteTimeout bounds one produce request. Default 10s.
	WriteTimeout time.Duration
	// MaxAttempts is how often a retriable produce error is retried. Default 5.
	MaxAttempts int
	// BatchBytes caps the bytes of one partition's batch. Default 1,000,000,
	// under what a broker accepts by default (message.max.bytes, 1 MiB): a
	// larger batch is refused whole with MESSAGE_TOO_LARGE.
	BatchBytes int64
	// RequestBytes caps the bytes of one produce request of a BatchWriter,
	// over all its partitions (a partition's batch is never split across
	// requests). Default DefaultRequestBytes. A request of a thousand
	// partitions' batches grows to tens of megabytes, which a broker takes
	// longer to append than the request timeout: the whole request then
	// fails and is sent again, and again.
	RequestBytes int64
}

// DefaultRequestBytes is the default WriterOptions.RequestBytes.
const DefaultRequestBytes = 4 << 20

// DefaultBatchBytes is the default WriterOptions.BatchBytes: under the 1 MiB
// a broker accepts by default (message.max.bytes), so no batch is refused
// whole. It is also the largest record a default Writer can write.
const DefaultBatchBytes = 1_000_000

// Writer produces records with acks=all, keyed records partitioned by
// murmur2 exactly as the Java client does, so a contact's events share a
// partition whoever produced them. Each Message names its own Topic.
type Writer struct {
	w *kafkago.Writer
}

// NewWriter returns a Writer; the caller closes it.
func (c *Client) NewWriter(opts WriterOptions) *Writer {
	if opts.BatchTimeout <= 0 {
		opts.BatchTimeout = 2 * time.Millisecond
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = DefaultBatchBytes
	}
	return &Writer{w: &kafkago.Writer{
		Addr:            c.addr(),
		Balancer:        &kafkago.Murmur2Balancer{},
		RequiredAcks:    kafkago.RequireAll,
		BatchTimeout:    opts.BatchTimeout,
		BatchSize:       opts.BatchSize,
		BatchBytes:      opts.BatchBytes,
		WriteTimeout:    opts.WriteTimeout,
		ReadTimeout:     opts.WriteTimeout,
		MaxAttempts:     opts.MaxAttempts,
		WriteBackoffMin: 20 * time.Millisecond,
		WriteBackoffMax: 500 * time.Millisecond,
		Transport:       newMetadataCache(c.transport, time.Second),
	}}
}

// WriteMessages blocks until every message is acknowledged by all in-sync
// replicas, or returns an error. On error some messages may have been
// written (kafka-go reports per-message errors in a WriteErrors); callers
// that need all-or-nothing must treat any error as "retry the whole batch",
// which at-least-once delivery and event-id deduplication make safe.
// Cancelling ctx abandons the wait; the records may still land.
func (w *Writer) WriteMessages(ctx context.Context, msgs ...Message) error {
	if err := w.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("kafka: write: %w", err)
	}
	return nil
}

// Close flushes pending writes and releases the writer.
func (w *Writer) Close() error { return w.w.Close() }

// Retriable reports whether err is a transient Kafka condition worth retrying
// (leader moves, timeouts, unavailable brokers), as opposed to a request the
// broker will never accept (message too large, unknown topic, auth).
func Retriable(err error) bool {
	if err == nil {
		return false
	}
	var kerr kafkago.Error
	if errors.As(err, &kerr) {
		return kerr.Temporary()
	}
	var werrs kafkago.WriteErrors
	if errors.As(err, &werrs) {
		for _, e := range werrs {
			if e != nil && !Retriable(e) {
				return false
			}
		}
		return true
	}
	return !errors.Is(err, context.Canceled)
}
