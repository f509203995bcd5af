package attemptindex

import (
	"context"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Follower feeds an Index from the attempt-log topic: every partition from
// its oldest record, then as records arrive. One reader a partition, so
// its cost is the topic's partitions, not the subscriptions.
type Follower struct {
	client *kafka.Client
	index  *Index
	log    *zap.Logger
}

// NewFollower returns a follower of index's topic through client.
func NewFollower(client *kafka.Client, index *Index, log *zap.Logger) *Follower {
	if log == nil {
		log = zap.NewNop()
	}
	return &Follower{client: client, index: index, log: log}
}

// Run follows the topic until ctx is done and returns nil then. While
// Kafka is away it waits and retries (logged once an outage starts and
// when it ends); it never gives up on its own.
func (f *Follower) Run(ctx context.Context) error {
	outage := kafka.NewOutage("follow attempt log", f.client.Backoff(), f.log, nil)
	var ends []kafka.PartitionEnds
	for {
		err := f.client.EnsureTopics(ctx, kafka.TopicSpec{Name: f.index.topic})
		if err == nil {
			ends, err = f.client.Ends(ctx, f.index.topic)
		}
		if err == nil {
			break
		}
		if !outage.Failed(ctx, err) {
			return nil
		}
	}
	outage.Succeeded()
	var wg sync.WaitGroup
	for _, e := range ends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.partition(ctx, e.Partition)
		}()
	}
	wg.Wait()
	return nil
}

// followOptions let the index lag the attempt log by up to a second: the
// broker holds a fetch until 256 KiB of attempts are there, so a busy log
// (5,000 attempts a second) costs a few fetches a second per partition, not
// one per write of the sender's attempt batches (~100 a second in all).
var followOptions = kafka.ReaderOptions{MaxWait: time.Second, MinBytes: 256 << 10, MaxBytes: 8 << 20}

// partition follows one partition from its oldest record until ctx ends.
func (f *Follower) partition(ctx context.Context, p int) {
	what := "follow attempt log partition " + strconv.Itoa(p)
	outage := kafka.NewOutage(what, f.client.Backoff(), f.log, nil)
	next := kafka.First
	for ctx.Err() == nil {
		rd, err := f.client.NewPartitionReader(f.index.topic, p, next, followOptions)
		if err == nil {
			next, err = f.read(ctx, rd, next)
			_ = rd.Close()
		}
		if err != nil && !outage.Failed(ctx, err) {
			return
		}
	}
}

// read applies records until a fetch fails; it returns the next offset.
func (f *Follower) read(ctx context.Context, rd *kafka.Reader, next int64) (int64, error) {
	for {
		m, err := rd.Fetch(ctx)
		if err != nil {
			return next, err
		}
		f.index.Add(m)
		next = m.Offset + 1
	}
}
