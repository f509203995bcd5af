package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	produceapi "github.com/segmentio/kafka-go/protocol/produce"
)

// BatchWriter writes every record of one call in one produce request per
// broker, however many topics and partitions they span, with acks=all and
// the Java client's murmur2 partitioning (like Writer). It holds no
// goroutine and no connection of its own between calls: its cost follows
// the records written, not the partitions they go to. kafka-go's Writer
// keeps a goroutine per partition it ever wrote to and sends one request
// per partition, which with a thousand subscriptions' delivery topics is
// thousands of goroutines and hundreds of broker connections; fan-out and
// the sender, which write to many topics, use this instead. It does not
// batch across calls: a caller writes a batch at a time.
type BatchWriter struct {
	c    *Client
	opts WriterOptions
	bal  kafkago.Murmur2Balancer

	mu     sync.Mutex
	layout map[string]topicLayout // by topic
}

// topicLayout is a topic's partitions and their leaders, as last looked up.
type topicLayout struct {
	partitions []int
	leader     map[int]int
	expires    time.Time
}

// layoutTTL is how long a topic's partitions and leaders are trusted.
const layoutTTL = 10 * time.Second

// batchWriteTimeout is a BatchWriter's default WriteTimeout: Kafka's own
// producers' request.timeout.ms. One request naming a thousand partitions
// can take the broker seconds (each partition's first index entry of a
// segment touches a fresh page of a memory-mapped file: 2,000 of them cost
// this VM's disk 10–15 s, docs/benchmarks.md "Session 9"); a request given
// up on that was written all the same, and its retry writes it twice.
const batchWriteTimeout = 30 * time.Second

// NewBatchWriter returns a BatchWriter; opts' WriteTimeout (default 30s),
// MaxAttempts, BatchBytes and RequestBytes apply (batching options do not:
// each call is a batch).
func (c *Client) NewBatchWriter(opts WriterOptions) *BatchWriter {
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = batchWriteTimeout
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = DefaultBatchBytes
	}
	if opts.RequestBytes <= 0 {
		opts.RequestBytes = DefaultRequestBytes
	}
	return &BatchWriter{c: c, opts: opts, layout: map[string]topicLayout{}}
}

// WriteMessages returns once every message is acknowledged by all in-sync
// replicas, or an error; on error some may have been written, and the
// caller retries the whole batch (at-least-once). Retriable errors (a
// leader moving) are retried up to MaxAttempts for the partitions they hit.
func (w *BatchWriter) WriteMessages(ctx context.Context, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	todo, err := w.partition(ctx, msgs)
	for attempt := 1; err == nil && len(todo) > 0; attempt++ {
		var failed map[TopicPartition][]Message
		failed, err = w.produce(ctx, todo)
		if err == nil && len(failed) > 0 {
			if attempt >= w.opts.MaxAttempts {
				return fmt.Errorf("kafka: write: %d partitions still failing after %d attempts", len(failed), attempt)
			}
			w.forget(failed)
			waitOrDone(ctx, time.Duration(attempt)*50*time.Millisecond)
		}
		todo = failed
	}
	if err != nil {
		return fmt.Errorf("kafka: write: %w", err)
	}
	return nil
}

// Close is a no-op: a BatchWriter holds nothing between calls.
func (w *BatchWriter) Close() error { return nil }

// partition assigns each message its partition, in message order.
func (w *BatchWriter) partition(ctx context.Context, msgs []Message) (map[TopicPartition][]Message, error) {
	out := map[TopicPartition][]Message{}
	for _, m := range msgs {
		l, err := w.layoutOf(ctx, m.Topic)
		if err != nil {
			return nil, err
		}
		tp := TopicPartition{m.Topic, w.bal.Balance(m, l.partitions...)}
		out[tp] = append(out[tp], m)
	}
	return out, nil
}

// layoutOf returns topic's partitions and leaders, looking them up when
// not known or stale.
func (w *BatchWriter) layoutOf(ctx context.Context, topic string) (topicLayout, error) {
	w.mu.Lock()
	l, ok := w.layout[topic]
	w.mu.Unlock()
	if ok && time.Now().Before(l.expires) {
		return l, nil
	}
	md, err := w.c.admin.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return l, fmt.Errorf("metadata %s: %w", topic, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil || len(md.Topics[0].Partitions) == 0 {
		return l, fmt.Errorf("metadata %s: %w", topic, topicError(md.Topics))
	}
	l = topicLayout{leader: map[int]int{}, expires: time.Now().Add(layoutTTL)}
	for _, p := range md.Topics[0].Partitions {
		l.partitions = append(l.partitions, p.ID)
		l.leader[p.ID] = p.Leader.ID
	}
	w.mu.Lock()
	w.layout[topic] = l
	w.mu.Unlock()
	return l, nil
}

// forget drops the layouts of topics whose partitions failed.
func (w *BatchWriter) forget(failed map[TopicPartition][]Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for tp := range failed {
		delete(w.layout, tp.Topic)
	}
}

// produce sends todo, one request per leader at a time (each at most
// BatchBytes per partition), concurrently across leaders. It returns the
// partitions that failed retriably; a permanent failure is an error.
func (w *BatchWriter) produce(ctx context.Context, todo map[TopicPartition][]Message) (map[TopicPartition][]Message, error) {
	byLeader := map[int]map[TopicPartition][]Message{}
	for tp, ms := range todo {
		l, _ := w.layoutOf(ctx, tp.Topic)
		leader := l.leader[tp.Partition]
		if byLeader[leader] == nil {
			byLeader[leader] = map[TopicPartition][]Message{}
		}
		byLeader[leader][tp] = ms
	}
	var mu sync.Mutex
	failed := map[TopicPartition][]Message{}
	var errs []error
	var wg sync.WaitGroup
	for _, parts := range byLeader {
		wg.Go(func() {
			f, err := w.produceTo(ctx, parts)
			mu.Lock()
			defer mu.Unlock()
			for tp, ms := range f {
				failed[tp] = ms
			}
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return failed, errors.Join(errs...)
}

// produceTo sends parts (all led by one broker) in requests whose
// partition batches stay under BatchBytes.
func (w *BatchWriter) produceTo(ctx context.Context, parts map[TopicPartition][]Message) (map[TopicPartition][]Message, error) {
	failed := map[TopicPartition][]Message{}
	for len(parts) > 0 {
		req, sent, rest := w.request(parts)
		f, err := w.send(ctx, req, sent)
		if err != nil {
			return nil, err
		}
		for tp, ms := range f {
			failed[tp] = append(failed[tp], ms...)
		}
		parts = rest
	}
	return failed, nil
}

// request builds one produce request from the head of each partition's
// messages, at most BatchBytes each and RequestBytes in all (at least one
// partition's batch); rest is what did not fit, each partition's messages
// still in order.
func (w *BatchWriter) request(parts map[TopicPartition][]Message) (*produceapi.Request, map[TopicPartition][]Message, map[TopicPartition][]Message) {
	req := &produceapi.Request{Acks: -1, Timeout: int32(w.opts.WriteTimeout / time.Millisecond)}
	byTopic := map[string]int{}
	sent, rest := map[TopicPartition][]Message{}, map[TopicPartition][]Message{}
	var total int64
	for tp, ms := range parts {
		if total >= w.opts.RequestBytes {
			rest[tp] = ms
			continue
		}
		n, size := batchLen(ms, w.opts.BatchBytes)
		total += size
		sent[tp] = ms[:n]
		if n < len(ms) {
			rest[tp] = ms[n:]
		}
		i, ok := byTopic[tp.Topic]
		if !ok {
			i = len(req.Topics)
			byTopic[tp.Topic] = i
			req.Topics = append(req.Topics, produceapi.RequestTopic{Topic: tp.Topic})
		}
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, produceapi.RequestPartition{
			Partition: int32(tp.Partition),
			RecordSet: protocol.RecordSet{Version: 2, Records: records(ms[:n])},
		})
	}
	return req, sent, rest
}

// batchLen is how many of ms fit in max bytes (at least one), and their
// estimated size.
func batchLen(ms []Message, max int64) (int, int64) {
	var size int64
	for i, m := range ms {
		n := int64(len(m.Key)+len(m.Value)) + 70
		for _, h := range m.Headers {
			n += int64(len(h.Key) + len(h.Value) + 2)
		}
		if size+n > max && i > 0 {
			return i, size
		}
		size += n
	}
	return len(ms), size
}

func records(ms []Message) protocol.RecordReader {
	rs := make([]protocol.Record, len(ms))
	now := time.Now()
	for i, m := range ms {
		t := m.Time
		if t.IsZero() {
			t = now
		}
		rs[i] = protocol.Record{Time: t, Key: protocol.NewBytes(m.Key), Value: protocol.NewBytes(m.Value), Headers: m.Headers}
	}
	return protocol.NewRecordReader(rs...)
}

// send sends req; partitions answering a retriable error come back as
// failed, a permanent one is an error.
func (w *BatchWriter) send(ctx context.Context, req *produceapi.Request, sent map[TopicPartition][]Message) (map[TopicPartition][]Message, error) {
	rctx, cancel := context.WithTimeout(ctx, w.opts.WriteTimeout+5*time.Second)
	defer cancel()
	res, err := w.c.transport.RoundTrip(rctx, w.c.addr(), req)
	if err != nil {
		if ctx.Err() == nil && Retriable(err) {
			return sent, nil
		}
		return nil, err
	}
	failed := map[TopicPartition][]Message{}
	var errs []error
	for _, t := range res.(*produceapi.Response).Topics {
		for _, p := range t.Partitions {
			if p.ErrorCode == 0 {
				continue
			}
			tp := TopicPartition{t.Topic, int(p.Partition)}
			perr := kafkago.Error(p.ErrorCode)
			if perr.Temporary() {
				failed[tp] = sent[tp]
				continue
			}
			errs = append(errs, fmt.Errorf("%s/%d: %w", tp.Topic, tp.Partition, perr))
		}
	}
	return failed, errors.Join(errs...)
}
