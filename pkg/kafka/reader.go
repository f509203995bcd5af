package kafka

import (
	"context"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// ReaderOptions tunes a Reader.
type ReaderOptions struct {
	// MaxWait bounds how long a fetch waits for new records. Default 250ms.
	MaxWait time.Duration
	// MinBytes lets the broker hold a fetch until this much is there (or
	// MaxWait passed). Default 1: a record ends the wait. A follower of a
	// busy topic that can lag by MaxWait sets more, and costs the broker
	// one fetch per MinBytes of records instead of one per write.
	MinBytes int
	// QueueCapacity is how many fetched records may wait in memory. Default 1000.
	QueueCapacity int
	// MaxBytes caps one fetch response. Default 4 MiB.
	MaxBytes int
	// SessionTimeout for group membership. Default 10s.
	SessionTimeout time.Duration
	// StartAtEnd makes a group without committed offsets start at the newest
	// record instead of the oldest. Default false: nothing is skipped.
	StartAtEnd bool
}

// Reader consumes one or more topics as a member of a consumer group.
// Offsets are committed only by Commit: fetching commits nothing.
type Reader struct {
	r *kafkago.Reader
}

// NewGroupReader joins group over topics; the caller closes the Reader.
func (c *Client) NewGroupReader(group string, topics []string, opts ReaderOptions) *Reader {
	cfg := c.readerConfig(opts)
	cfg.GroupID = group
	cfg.GroupTopics = topics
	cfg.CommitInterval = 0 // synchronous: Commit returns once the broker has the offsets
	cfg.WatchPartitionChanges = true
	cfg.PartitionWatchInterval = 5 * time.Second
	cfg.HeartbeatInterval = time.Second
	cfg.SessionTimeout = opts.SessionTimeout
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 10 * time.Second
	}
	cfg.RebalanceTimeout = cfg.SessionTimeout
	cfg.JoinGroupBackoff = 500 * time.Millisecond
	if opts.StartAtEnd {
		cfg.StartOffset = kafkago.LastOffset
	}
	return &Reader{r: kafkago.NewReader(cfg)}
}

// NewPartitionReader reads one partition from offset (FirstOffset, LastOffset
// or an absolute offset) without a group; nothing is committed.
func (c *Client) NewPartitionReader(topic string, partition int, offset int64, opts ReaderOptions) (*Reader, error) {
	cfg := c.readerConfig(opts)
	cfg.Topic = topic
	cfg.Partition = partition
	r := kafkago.NewReader(cfg)
	if err := r.SetOffset(offset); err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("kafka: seek %s/%d to %d: %w", topic, partition, offset, err)
	}
	return &Reader{r: r}, nil
}

// First and Last name the ends of a partition for NewPartitionReader.
const (
	First = kafkago.FirstOffset
	Last  = kafkago.LastOffset
)

func (c *Client) readerConfig(opts ReaderOptions) kafkago.ReaderConfig {
	if opts.MaxWait <= 0 {
		opts.MaxWait = 250 * time.Millisecond
	}
	if opts.QueueCapacity <= 0 {
		opts.QueueCapacity = 1000
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 4 << 20
	}
	opts.MinBytes = min(max(1, opts.MinBytes), opts.MaxBytes)
	return kafkago.ReaderConfig{
		Brokers:          c.brokers,
		Dialer:           c.dialer,
		MinBytes:         opts.MinBytes,
		MaxBytes:         opts.MaxBytes,
		MaxWait:          opts.MaxWait,
		ReadBatchTimeout: opts.MaxWait,
		QueueCapacity:    opts.QueueCapacity,
		ReadBackoffMin:   50 * time.Millisecond,
		ReadBackoffMax:   time.Second,
		MaxAttempts:      10,
		StartOffset:      kafkago.FirstOffset,
	}
}

// Fetch returns the next record without committing it. It blocks until a
// record arrives or ctx is done (then it returns ctx's error). After a
// rebalance a record already fetched may be fetched again (by this or
// another member): consumers deduplicate on event id.
func (r *Reader) Fetch(ctx context.Context) (Message, error) {
	m, err := r.r.FetchMessage(ctx)
	if err != nil {
		return m, fmt.Errorf("kafka: fetch: %w", err)
	}
	return m, nil
}

// Commit marks msgs processed: for each partition the group resumes after
// the highest committed offset. Commit only after the record's effect is
// durable; a commit error is retriable by committing again (or a later offset).
func (r *Reader) Commit(ctx context.Context, msgs ...Message) error {
	if err := r.r.CommitMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("kafka: commit: %w", err)
	}
	return nil
}

// SeekTime moves a partition reader to the first record at or after t.
func (r *Reader) SeekTime(ctx context.Context, t time.Time) error {
	if err := r.r.SetOffsetAt(ctx, t); err != nil {
		return fmt.Errorf("kafka: seek to %s: %w", t.Format(time.RFC3339), err)
	}
	return nil
}

// Lag is the reader's lag on its current partition (partition readers only).
func (r *Reader) Lag() int64 { return r.r.Lag() }

// Close leaves the group (if any) and releases connections. Uncommitted
// records are redelivered to whoever owns their partition next.
func (r *Reader) Close() error { return r.r.Close() }
