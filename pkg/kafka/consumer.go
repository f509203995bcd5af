package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	kafkago "github.com/segmentio/kafka-go"
	"go.uber.org/zap"
)

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int
}

// ConsumerHandler receives what a GroupConsumer consumes. Its methods are
// called from the consumer's own goroutines and must not call back into it,
// except Commit and Wake.
type ConsumerHandler interface {
	// Assigned is called when this member starts owning parts. No record of
	// them is handed over before it returns; it may block to rebuild state,
	// and should return when ctx (the consumer's run) ends.
	Assigned(ctx context.Context, parts []TopicPartition)
	// Revoked is called when this member no longer owns parts: records of
	// them still in hand will be delivered again to their new owner, and
	// commits for them are dropped.
	Revoked(parts []TopicPartition)
	// Ready reports whether tp may be fetched now (a paused partition costs
	// nothing). Called often from the fetch loop: cheap, never blocking.
	Ready(tp TopicPartition) bool
	// Records hands over fetched records of one partition in offset order.
	// It must not block; a partition is fetched again only after it returns.
	Records(tp TopicPartition, msgs []Message)
}

// ConsumerOptions tunes a GroupConsumer.
type ConsumerOptions struct {
	// MaxWait bounds how long a fetch waits for new records. Default 500ms.
	MaxWait time.Duration
	// MaxBytes caps one fetch response. Default 4 MiB.
	MaxBytes int
	// PartitionMaxBytes caps one partition's share of a response. Default 512 KiB.
	PartitionMaxBytes int
	// Fetches is how many fetch requests may be in flight per broker; fetch
	// memory is bounded by Fetches × MaxBytes × brokers. Default 4.
	Fetches int
	// PartitionPace spaces the fetch requests to one broker by this much per
	// partition asked for, so that many partitions with a little traffic
	// each are fetched in a few large rounds, not in as many rounds as
	// records (a full fetch costs per partition asked, with data or not).
	// 2,000 partitions: a round at most every 20 ms. Default 10µs.
	PartitionPace time.Duration
	// SessionTimeout for group membership. Default 10s.
	SessionTimeout time.Duration
	// RejoinDelay gathers topic changes for this long before rejoining the
	// group with them (one rebalance for a burst of new subscriptions). Default 500ms.
	RejoinDelay time.Duration
	// RejoinInterval spaces rejoins at least this far apart: a change
	// right after a rejoin waits until the interval is over, so a long
	// burst (a hundred subscriptions made one by one) costs a rejoin per
	// interval, not one per RejoinDelay. Every rejoin makes the broker
	// and the member work through the whole group's metadata and offsets;
	// on a 2-core machine with 1,000 subscriptions, one every 0.5–1 s
	// lifted every other subscription's p99 past a second. Default 5s.
	RejoinInterval time.Duration
	// Log receives errors (broker unreachable, rebalances); nil: none.
	Log *zap.Logger
	// Fallback names, for a topic, another group whose committed offsets a
	// partition starts from when this group has none (an upgrade from one
	// group per topic); "" or nil: the first offset.
	Fallback func(topic string) (group string)
}

func (o ConsumerOptions) withDefaults() ConsumerOptions {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxWait, 500*time.Millisecond)
	def(&o.SessionTimeout, 10*time.Second)
	def(&o.RejoinDelay, 500*time.Millisecond)
	def(&o.RejoinInterval, 5*time.Second)
	def(&o.PartitionPace, 10*time.Microsecond)
	if o.MaxBytes <= 0 {
		o.MaxBytes = 4 << 20
	}
	if o.PartitionMaxBytes <= 0 {
		o.PartitionMaxBytes = 512 << 10
	}
	if o.Fetches <= 0 {
		o.Fetches = 4
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	return o
}

// GroupConsumer is one member of a consumer group over a changing set of
// topics, made for consumers of many partitions (the sender reads every
// subscription's delivery topic). Whatever the number of topics and
// partitions it costs one group membership (one heartbeat) and at most
// Fetches fetch requests in flight per broker, each asking for many
// partitions at once; a partition is fetched only while its handler is
// Ready, so a paused or idle one costs nearly nothing.
//
// Assignments are sticky (rendezvous hashing on a per-process instance id),
// so a topic change or a member joining moves only the partitions it must;
// partitions kept across a rebalance keep flowing during it. Offsets are
// committed only by Commit. Broker outages are waited out: Run returns only
// when its context ends.
type GroupConsumer struct {
	c        *Client
	group    string
	opts     ConsumerOptions
	log      *zap.Logger
	balancer rendezvous

	topicsMu sync.Mutex
	topics   []string
	changed  chan struct{}
	wake     chan struct{}

	mu    sync.Mutex
	gen   *kafkago.Generation
	cg    *kafkago.ConsumerGroup
	parts map[TopicPartition]*fetchPos

	joined     []string // the topics of the current group (nil before the first join)
	stats      *fetchCounters
	resolvedAt time.Time // fetch loop only: last retry of unknown first offsets
}

// NewGroupConsumer returns a consumer of group; SetTopics says what it
// reads, Run consumes, Close leaves the group.
func (c *Client) NewGroupConsumer(group string, opts ConsumerOptions) *GroupConsumer {
	opts = opts.withDefaults()
	return &GroupConsumer{c: c, group: group, opts: opts, log: opts.Log.With(zap.String("group", group)),
		balancer: rendezvous{instance: uuid.NewString()},
		changed:  make(chan struct{}, 1), wake: make(chan struct{}, 1),
		parts: map[TopicPartition]*fetchPos{}, stats: c.fetchStats.counters(group)}
}

// SetTopics replaces the topics the member consumes (they must exist). The
// group is rejoined after RejoinDelay (and no sooner than RejoinInterval
// after the last rejoin), so a burst of changes costs one rebalance.
func (gc *GroupConsumer) SetTopics(topics []string) {
	ts := slices.Clone(topics)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	gc.topicsMu.Lock()
	gc.topics = ts
	gc.topicsMu.Unlock()
	signal(gc.changed)
}

// Wake tells the fetch loop that a partition may have become Ready.
func (gc *GroupConsumer) Wake() { signal(gc.wake) }

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Run consumes until ctx ends, then stops fetching and returns nil; the
// membership stays (so the caller can still Commit) until Close.
func (gc *GroupConsumer) Run(ctx context.Context, h ConsumerHandler) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); gc.fetchLoop(ctx, h) }()
	gc.membership(ctx, h)
	wg.Wait()
	return nil
}

// Close leaves the group; records not committed are delivered again to
// whoever owns their partitions next.
func (gc *GroupConsumer) Close() error {
	gc.mu.Lock()
	cg := gc.cg
	gc.cg, gc.gen = nil, nil
	gc.mu.Unlock()
	if cg != nil {
		return cg.Close()
	}
	return nil
}

// ErrNotMember is returned by Commit while the consumer holds no generation
// (joining, or Kafka away); it is retriable.
var ErrNotMember = errors.New("kafka: not a group member right now")

// Commit commits, per partition, the offset of the last record processed;
// partitions this member no longer owns are left out. An error is retriable
// by committing again (or a later offset).
func (gc *GroupConsumer) Commit(offsets map[TopicPartition]int64) error {
	gc.mu.Lock()
	gen := gc.gen
	byTopic := map[string]map[int]int64{}
	for tp, off := range offsets {
		if gc.parts[tp] == nil {
			continue
		}
		if byTopic[tp.Topic] == nil {
			byTopic[tp.Topic] = map[int]int64{}
		}
		byTopic[tp.Topic][tp.Partition] = off + 1
	}
	gc.mu.Unlock()
	if len(byTopic) == 0 {
		return nil
	}
	if gen == nil {
		return ErrNotMember
	}
	if err := gen.CommitOffsets(byTopic); err != nil {
		return fmt.Errorf("kafka: commit %s: %w", gc.group, err)
	}
	return nil
}

// Member reports whether the consumer is in its group with the topics
// last set (true with no topics to read), that is, whether it can consume
// and commit: false while joining, or while Kafka is away.
func (gc *GroupConsumer) Member() bool {
	gc.topicsMu.Lock()
	want := gc.topics
	gc.topicsMu.Unlock()
	gc.mu.Lock()
	defer gc.mu.Unlock()
	if len(want) == 0 {
		return true
	}
	return gc.gen != nil && slices.Equal(gc.joined, want)
}

// HighWatermarks returns, per owned partition fetched at least once, the
// offset its next record will get, as of the last fetch (a quiet partition
// is fetched every MaxWait): lag without asking the brokers.
func (gc *GroupConsumer) HighWatermarks() map[TopicPartition]int64 {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	out := make(map[TopicPartition]int64, len(gc.parts))
	for tp, p := range gc.parts {
		if p.hw >= 0 {
			out[tp] = p.hw
		}
	}
	return out
}

// Owned returns the partitions this member owns now.
func (gc *GroupConsumer) Owned() []TopicPartition {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	out := make([]TopicPartition, 0, len(gc.parts))
	for tp := range gc.parts {
		out = append(out, tp)
	}
	return out
}
