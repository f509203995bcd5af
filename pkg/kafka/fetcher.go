package kafka

import (
	"context"
	"errors"
	"io"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	fetchapi "github.com/segmentio/kafka-go/protocol/fetch"
	"go.uber.org/zap"
)

// unresolved marks a partition whose start offset is not known yet.
const unresolved = -1

// fetchPos is a partition's fetch position.
type fetchPos struct {
	next     int64 // offset to fetch next; unresolved until known
	hw       int64 // high watermark in the last fetch response; -1 none yet
	inFlight bool
}

// fetchDone reports a finished fetch request.
type fetchDone struct {
	leader int
	parts  []TopicPartition
	stale  bool // metadata looked wrong: refresh leaders
}

// poll is how often the fetch loop looks for partitions that became Ready
// without a Wake.
const poll = 250 * time.Millisecond

// fetchLoop keeps, per broker, up to Fetches requests in flight, each for
// the Ready partitions led by that broker that no other request holds.
func (gc *GroupConsumer) fetchLoop(ctx context.Context, h ConsumerHandler) {
	done := make(chan fetchDone, 64)
	f := &fetchState{inFlight: map[int]int{}, notBefore: map[int]time.Time{}, lead: &leaders{gc: gc}}
	total := 0
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		var paced <-chan time.Time
		if ctx.Err() == nil {
			var n int
			n, paced = gc.startFetches(ctx, h, f, done)
			total += n
		}
		select {
		case <-ctx.Done():
			if total == 0 {
				return
			}
			total -= gc.finish(<-done, f)
		case d := <-done:
			total -= gc.finish(d, f)
		case <-gc.wake:
		case <-tick.C:
		case <-paced:
		}
	}
}

// fetchState is the fetch loop's own bookkeeping, per broker.
type fetchState struct {
	inFlight  map[int]int       // requests in flight
	notBefore map[int]time.Time // no new request before (PartitionPace)
	lead      *leaders
}

func (gc *GroupConsumer) finish(d fetchDone, f *fetchState) int {
	f.inFlight[d.leader]--
	gc.mu.Lock()
	for _, tp := range d.parts {
		if p := gc.parts[tp]; p != nil {
			p.inFlight = false
		}
	}
	gc.mu.Unlock()
	if d.stale {
		f.lead.invalidate()
	}
	return 1
}

// startFetches sends a request to every broker with Ready partitions not
// in flight, a free request slot and its pace passed; it returns how many
// it sent, and a timer for the earliest paced broker (nil: none waits).
func (gc *GroupConsumer) startFetches(ctx context.Context, h ConsumerHandler, f *fetchState, done chan<- fetchDone) (int, <-chan time.Time) {
	byLeader, unknown := gc.readyByLeader(ctx, h, f)
	if unknown {
		f.lead.invalidate()
	}
	sent, now := 0, time.Now()
	var wait time.Duration
	for leader, parts := range byLeader {
		if until := f.notBefore[leader].Sub(now); until > 0 {
			wait = minPositive(wait, until)
			gc.release(parts)
			continue
		}
		if f.inFlight[leader] >= gc.opts.Fetches {
			gc.release(parts)
			continue
		}
		gc.mu.Lock()
		req := gc.request(parts)
		gc.mu.Unlock()
		f.inFlight[leader]++
		f.notBefore[leader] = now.Add(time.Duration(len(parts)) * gc.opts.PartitionPace)
		sent++
		go func() { done <- gc.fetch(ctx, leader, parts, req, h) }()
	}
	if wait > 0 {
		return sent, time.After(wait)
	}
	return sent, nil
}

// release gives back partitions readyByLeader marked in flight but that
// were not asked for.
func (gc *GroupConsumer) release(parts []TopicPartition) {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	for _, tp := range parts {
		if p := gc.parts[tp]; p != nil {
			p.inFlight = false
		}
	}
}

func minPositive(a, b time.Duration) time.Duration {
	if a <= 0 || b < a {
		return b
	}
	return a
}

// readyByLeader groups the Ready partitions not in flight by leader,
// marking them in flight; unknown reports partitions without a known leader.
// Lookups (leaders, first offsets) happen outside the lock.
func (gc *GroupConsumer) readyByLeader(ctx context.Context, h ConsumerHandler, f *fetchState) (map[int][]TopicPartition, bool) {
	lead := f.lead
	var ready, unknownStart []TopicPartition
	gc.mu.Lock()
	for tp, p := range gc.parts {
		switch {
		case p.inFlight:
		case p.next < 0:
			unknownStart = append(unknownStart, tp)
		case h.Ready(tp):
			ready = append(ready, tp)
		}
	}
	gc.mu.Unlock()
	gc.resolveMissing(ctx, unknownStart)
	if len(ready) == 0 {
		return nil, false
	}
	lead.ensure(ctx, ready)
	out := map[int][]TopicPartition{}
	unknown := false
	gc.mu.Lock()
	defer gc.mu.Unlock()
	for _, tp := range ready {
		p := gc.parts[tp]
		if p == nil || p.inFlight {
			continue
		}
		leader, ok := lead.get(tp)
		if !ok {
			unknown = true
			continue
		}
		p.inFlight = true
		out[leader] = append(out[leader], tp)
	}
	return out, unknown
}

// resolveMissing retries, at most once a second, the first offsets that
// could not be looked up when their partitions were assigned.
func (gc *GroupConsumer) resolveMissing(ctx context.Context, tps []TopicPartition) {
	if len(tps) == 0 || time.Since(gc.resolvedAt) < time.Second {
		return
	}
	gc.resolvedAt = time.Now()
	committed := make(map[TopicPartition]int64, len(tps))
	for _, tp := range tps {
		committed[tp] = -2
	}
	starts := gc.resolve(ctx, tps, committed)
	gc.mu.Lock()
	defer gc.mu.Unlock()
	for tp, off := range starts {
		if p := gc.parts[tp]; p != nil && p.next < 0 {
			p.next = off
		}
	}
}

// request builds one fetch request for parts (mu held).
func (gc *GroupConsumer) request(parts []TopicPartition) *fetchapi.Request {
	byTopic := map[string][]fetchapi.RequestPartition{}
	for _, tp := range parts {
		byTopic[tp.Topic] = append(byTopic[tp.Topic], fetchapi.RequestPartition{
			Partition: int32(tp.Partition), CurrentLeaderEpoch: -1, FetchOffset: gc.parts[tp].next,
			LogStartOffset: -1, PartitionMaxBytes: int32(gc.opts.PartitionMaxBytes)})
	}
	req := &fetchapi.Request{ReplicaID: -1, MaxWaitTime: int32(gc.opts.MaxWait / time.Millisecond), MinBytes: 1,
		MaxBytes: int32(gc.opts.MaxBytes), SessionID: -1, SessionEpoch: -1}
	for topic, ps := range byTopic {
		req.Topics = append(req.Topics, fetchapi.RequestTopic{Topic: topic, Partitions: ps})
	}
	return req
}

// fetch sends req and hands each partition's records to h. After an error
// it waits a second (Kafka away: nothing is gained by asking faster).
func (gc *GroupConsumer) fetch(ctx context.Context, leader int, parts []TopicPartition, req *fetchapi.Request, h ConsumerHandler) fetchDone {
	d := fetchDone{leader: leader, parts: parts}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), gc.opts.MaxWait+10*time.Second)
	defer cancel()
	gc.stats.requests.Add(1)
	gc.stats.partitions.Add(int64(len(parts)))
	res, err := gc.c.transport.RoundTrip(rctx, gc.c.addr(), req)
	if err != nil {
		gc.log.Warn("fetch failed", zap.Int("broker", leader), zap.Int("count", len(parts)), zap.Error(err))
		d.stale = true
		waitOrDone(ctx, time.Second)
		return d
	}
	for _, t := range res.(*fetchapi.Response).Topics {
		for i := range t.Partitions {
			if gc.handlePartition(ctx, t.Topic, &t.Partitions[i], h) {
				d.stale = true
			}
		}
	}
	return d
}

// handlePartition hands one partition's records over; it reports whether
// its error says the leaders should be looked up again.
func (gc *GroupConsumer) handlePartition(ctx context.Context, topic string, p *fetchapi.ResponsePartition, h ConsumerHandler) bool {
	tp := TopicPartition{topic, int(p.Partition)}
	gc.mu.Lock()
	pos := gc.parts[tp]
	from := int64(-1)
	if pos != nil {
		from = pos.next
	}
	gc.mu.Unlock()
	if pos == nil {
		return false // revoked meanwhile
	}
	if p.ErrorCode != 0 {
		return gc.partitionError(ctx, tp, kafkago.Error(p.ErrorCode))
	}
	gc.mu.Lock()
	pos.hw = p.HighWatermark
	gc.mu.Unlock()
	msgs, err := readRecords(tp, p.RecordSet.Records, from)
	if err != nil {
		gc.log.Warn("fetch response unreadable", zap.String("topic", topic), zap.Int("partition", tp.Partition), zap.Error(err))
	}
	if len(msgs) == 0 {
		return false
	}
	gc.mu.Lock()
	if gc.parts[tp] != pos {
		gc.mu.Unlock()
		return false
	}
	pos.next = msgs[len(msgs)-1].Offset + 1
	gc.mu.Unlock()
	gc.stats.withRecords.Add(1)
	h.Records(tp, msgs)
	return false
}

// partitionError handles a partition-level fetch error.
func (gc *GroupConsumer) partitionError(ctx context.Context, tp TopicPartition, err kafkago.Error) bool {
	if errors.Is(err, kafkago.OffsetOutOfRange) {
		gc.log.Warn("fetch offset out of range; restarting at the first offset", zap.String("topic", tp.Topic), zap.Int("partition", tp.Partition))
		starts := gc.resolve(ctx, []TopicPartition{tp}, map[TopicPartition]int64{tp: -2})
		gc.mu.Lock()
		if p := gc.parts[tp]; p != nil {
			p.next = starts[tp]
		}
		gc.mu.Unlock()
		return false
	}
	gc.log.Debug("fetch partition error", zap.String("topic", tp.Topic), zap.Int("partition", tp.Partition), zap.Error(err))
	return true
}

// readRecords copies the records at or after from out of rr.
func readRecords(tp TopicPartition, rr protocol.RecordReader, from int64) ([]Message, error) {
	if rr == nil {
		return nil, nil
	}
	var msgs []Message
	for {
		r, err := rr.ReadRecord()
		if errors.Is(err, io.EOF) {
			return msgs, nil
		}
		if err != nil {
			return msgs, err
		}
		if r.Offset < from { // the head of a batch that starts before from
			closeBytes(r.Key)
			closeBytes(r.Value)
			continue
		}
		m, err := toMessage(tp, r)
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, m)
	}
}

// toMessage copies r out of the response. Key and value are closed once
// copied: they hold the response's 64 KiB pages, which go back to
// kafka-go's pool only then (left open, every partition of every response
// costs a fresh page).
func toMessage(tp TopicPartition, r *protocol.Record) (Message, error) {
	key, err := readClose(r.Key)
	if err != nil {
		return Message{}, err
	}
	value, err := readClose(r.Value)
	if err != nil {
		return Message{}, err
	}
	m := Message{Topic: tp.Topic, Partition: tp.Partition, Offset: r.Offset, Key: key, Value: value, Time: r.Time}
	if len(r.Headers) > 0 {
		m.Headers = make([]Header, len(r.Headers))
		for i, h := range r.Headers {
			m.Headers[i] = Header{Key: h.Key, Value: append([]byte(nil), h.Value...)}
		}
	}
	return m, nil
}

func readClose(b protocol.Bytes) ([]byte, error) {
	defer closeBytes(b)
	return protocol.ReadAll(b)
}

func closeBytes(b protocol.Bytes) {
	if b != nil {
		_ = b.Close()
	}
}

func waitOrDone(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
