package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/kafka"
)

type replayRequest struct {
	Since string `json:"since"`
}

// replay copies, from every event topic the subscription matches, the records
// since a time onto its delivery topic (up to the end present at the call,
// known from the partitions' high watermarks), streaming in bounded batches.
func (a *Admin) replay(w http.ResponseWriter, r *http.Request, ep Endpoint) {
	var req replayRequest
	if !decodeBody(w, r, &req) {
		return
	}
	since, err := time.Parse(time.RFC3339, req.Since)
	if err != nil {
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_since", "since: must be an RFC3339 time, got "+req.Since)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Minute)
	defer cancel()
	topics, err := a.matchingTopics(ctx, ep)
	if a.failed(w, err) {
		return
	}
	// the delivery topic may not exist yet (a subscription created a moment ago)
	if a.failed(w, a.client.EnsureTopics(ctx, kafka.TopicSpec{Name: a.cfg.Topics.DeliverPrefix + ep.ID, Partitions: a.cfg.Topics.DeliverPartitions})) {
		return
	}
	counts, total := map[string]int{}, 0
	for _, topic := range topics {
		n, err := a.replayTopic(ctx, ep, topic, since)
		if a.failed(w, err) {
			return
		}
		counts[topic] = n
		total += n
	}
	httpapi.WriteJSON(w, http.StatusAccepted, map[string]any{"since": since, "copied": total, "topics": counts})
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

func (a *Admin) replayTopic(ctx context.Context, ep Endpoint, topic string, since time.Time) (int, error) {
	ends, err := a.client.Ends(ctx, topic)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ends {
		copied, err := a.replayPartition(ctx, ep, topic, e, since)
		n += copied
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// replayPartition copies one partition's records from since up to its end
// at the call (e.Next), in batches of replayBatch.
func (a *Admin) replayPartition(ctx context.Context, ep Endpoint, topic string, e kafka.PartitionEnds, since time.Time) (int, error) {
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
	mayBeEmpty := newest.Before(since)
	for {
		m, err := fetchReplay(ctx, rd, mayBeEmpty)
		if errors.Is(err, errNothingSince) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("delivery: replay %s/%d: %w", topic, e.Partition, err)
		}
		mayBeEmpty = false
		last := m.Offset >= e.Next-1
		if m.Offset < e.Next && !m.Time.Before(since) && a.keep(ctx, ep, m) { // timestamps need not grow with offsets
			batch = append(batch, a.replayed(ep.ID, m))
		}
		if len(batch) == replayBatch || last {
			if err := a.writeBatches(ctx, batch); err != nil {
				return n, err
			}
			n, batch = n+len(batch), batch[:0]
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
