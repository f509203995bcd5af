package delivery

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// ReplayProgress is how far a replay got. Scanned counts the records read
// so far of Total, the records between since and the end present at the
// start (Total is an upper bound until every partition's start is known);
// Copied those put on the delivery topic, per event topic in Topics.
type ReplayProgress struct {
	Since    time.Time      `json:"since"`
	Scanned  int64          `json:"scanned"`
	Total    int64          `json:"total"`
	Copied   int            `json:"copied"`
	Topics   map[string]int `json:"topics"`
	Finished bool           `json:"finished"`
}

// Replay copies, from every event topic subscription id matches, the
// records since a time onto its delivery topic (up to the end present at
// the call, known from the partitions' high watermarks), streaming in
// bounded batches, and calls report (when not nil) as it goes. It gives up
// after five minutes; the progress returned says how far it got.
func (a *Admin) Replay(ctx context.Context, id string, since time.Time, report func(ReplayProgress)) (ReplayProgress, error) {
	ep, err := a.endpoint(id)
	if err != nil {
		return ReplayProgress{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	r := &replayRun{a: a, ep: ep, since: since, report: report, p: ReplayProgress{Since: since, Topics: map[string]int{}}}
	err = r.run(ctx)
	r.p.Finished = err == nil
	r.emit()
	return r.p, err
}

// replayRun is one replay's state.
type replayRun struct {
	a      *Admin
	ep     Endpoint
	since  time.Time
	report func(ReplayProgress)
	p      ReplayProgress
	ends   map[string][]kafka.PartitionEnds
}

func (r *replayRun) emit() {
	if r.report != nil {
		p := r.p
		p.Topics = maps.Clone(r.p.Topics)
		r.report(p)
	}
}

func (r *replayRun) run(ctx context.Context) error {
	topics, err := r.a.matchingTopics(ctx, r.ep)
	if err != nil {
		return err
	}
	// the delivery topic may not exist yet (a subscription created a moment ago)
	spec := kafka.TopicSpec{Name: r.a.cfg.Topics.DeliverPrefix + r.ep.ID, Partitions: r.a.cfg.Topics.DeliverPartitions}
	if err := r.a.client.EnsureTopics(ctx, spec); err != nil {
		return err
	}
	if err := r.measure(ctx, topics); err != nil {
		return err
	}
	for _, topic := range topics {
		if err := r.topic(ctx, topic); err != nil {
			return err
		}
	}
	return nil
}

// measure reads every partition's ends and sums the upper bound of Total.
func (r *replayRun) measure(ctx context.Context, topics []string) error {
	r.ends = map[string][]kafka.PartitionEnds{}
	for _, topic := range topics {
		ends, err := r.a.client.Ends(ctx, topic)
		if err != nil {
			return err
		}
		r.ends[topic] = ends
		for _, e := range ends {
			r.p.Total += e.Next - e.First
		}
		r.p.Topics[topic] = 0
	}
	r.emit()
	return nil
}

func (r *replayRun) topic(ctx context.Context, topic string) error {
	for _, e := range r.ends[topic] {
		copied, err := r.a.replayPartition(ctx, r, topic, e)
		r.p.Copied += copied
		r.p.Topics[topic] += copied
		r.emit()
		if err != nil {
			return err
		}
	}
	return nil
}

func (a *Admin) matchingTopics(ctx context.Context, ep Endpoint) ([]string, error) {
	all, err := a.client.Topics(ctx, a.eventPrefix)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, topic := range all {
		t := event.Type(strings.TrimPrefix(topic, a.eventPrefix))
		for _, p := range ep.EventTypes {
			if event.Match(p, t) {
				out = append(out, topic)
				break
			}
		}
	}
	return out, nil
}

// replayIdle is how long a replay waits for a first record in a partition
// whose last record is older than the replay's start.
const replayIdle = time.Second

// replayBatch bounds the records a replay or redrive holds in memory.
const replayBatch = 500

// replayPartition copies one partition's records from since up to its end
// at the call (e.Next), in batches of replayBatch.
func (a *Admin) replayPartition(ctx context.Context, run *replayRun, topic string, e kafka.PartitionEnds) (int, error) {
	ep, since := run.ep, run.since
	if e.Next <= e.First {
		return 0, nil
	}
	newest, err := a.recordTime(ctx, topic, e.Partition, e.Next-1)
	if err != nil {
		return 0, err
	}
	rd, err := a.client.NewPartitionReader(topic, e.Partition, kafka.First, kafka.ReaderOptions{MaxWait: 100 * time.Millisecond})
	if err != nil {
		return 0, err
	}
	defer func() { _ = rd.Close() }()
	if err := rd.SeekTime(ctx, since); err != nil {
		return 0, err
	}
	n, batch := 0, make([]kafka.Message, 0, replayBatch)
	mayBeEmpty, first := newest.Before(since), true
	for {
		m, err := fetchReplay(ctx, rd, mayBeEmpty)
		if errors.Is(err, errNothingSince) {
			run.p.Total -= e.Next - e.First // the seek landed at the end
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("delivery: replay %s/%d: %w", topic, e.Partition, err)
		}
		if first {
			run.p.Total -= max(0, m.Offset-e.First) // the records before the seek are not scanned
		}
		first, mayBeEmpty = false, false
		run.p.Scanned++
		last := m.Offset >= e.Next-1
		if m.Offset < e.Next && !m.Time.Before(since) && a.keep(ctx, ep, m) { // timestamps need not grow with offsets
			batch = append(batch, a.replayed(ep.ID, m))
		}
		if len(batch) == replayBatch || last {
			if err := a.writeBatches(ctx, batch); err != nil {
				return n, err
			}
			n, batch = n+len(batch), batch[:0]
			run.emit()
		}
		if last {
			return n, nil
		}
	}
}

var errNothingSince = errors.New("delivery: nothing since")

// fetchReplay fetches the next record. When the partition's last record is
// older than since (timestamps need not grow with offsets), the seek may
// have landed at the end: then the first fetch waits at most replayIdle and
// reports errNothingSince.
func fetchReplay(ctx context.Context, rd *kafka.Reader, mayBeEmpty bool) (kafka.Message, error) {
	if !mayBeEmpty {
		return rd.Fetch(ctx)
	}
	fctx, cancel := context.WithTimeout(ctx, replayIdle)
	defer cancel()
	m, err := rd.Fetch(fctx)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return m, errNothingSince
	}
	return m, err
}

// recordTime is the timestamp of the record at offset.
func (a *Admin) recordTime(ctx context.Context, topic string, partition int, offset int64) (time.Time, error) {
	rd, err := a.client.NewPartitionReader(topic, partition, offset, kafka.ReaderOptions{MaxWait: 100 * time.Millisecond})
	if err != nil {
		return time.Time{}, err
	}
	defer func() { _ = rd.Close() }()
	m, err := rd.Fetch(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("delivery: read %s/%d@%d: %w", topic, partition, offset, err)
	}
	return m.Time, nil
}

func (a *Admin) replayed(id string, m kafka.Message) kafka.Message {
	return kafka.Message{Topic: a.cfg.Topics.DeliverPrefix + id, Key: m.Key, Value: m.Value,
		Headers: withHeaders(dropHeader(m.Headers, event.HeaderSubscription), event.HeaderSubscription, id)}
}

func dropHeader(hs []kafka.Header, name string) []kafka.Header {
	out := make([]kafka.Header, 0, len(hs))
	for _, h := range hs {
		if h.Key != name {
			out = append(out, h)
		}
	}
	return out
}

// keep applies the subscription's current filter, if any, to a replayed
// event: replay copies what fan-out would copy now.
func (a *Admin) keep(ctx context.Context, ep Endpoint, m kafka.Message) bool {
	if ep.Filter == nil {
		return true
	}
	ok, err := ep.Filter.Keep(ctx, m)
	if err != nil {
		a.log.Warn("replay: filter cannot tell; event not copied", zap.String("subscription", ep.ID),
			zap.String("topic", m.Topic), zap.Int("partition", m.Partition), zap.Int64("offset", m.Offset), zap.Error(err))
	}
	return ok && err == nil
}
