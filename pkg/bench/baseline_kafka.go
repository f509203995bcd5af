package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// KafkaBaseline is what bare produce and consume reach on the same broker
// through pkg/kafka (kafka-go): the physical limit under ingest and fan-out.
type KafkaBaseline struct {
	Partitions    int     `json:"partitions"`
	Batch         int     `json:"batch"`
	Concurrency   int     `json:"concurrency"`
	Produced      int64   `json:"produced"`
	ProducePerSec float64 `json:"producePerSec"`
	Consumed      int64   `json:"consumed"`
	ConsumePerSec float64 `json:"consumePerSec"`
}

// KafkaBaselineOptions shape the Kafka baseline.
type KafkaBaselineOptions struct {
	Topic       string
	Partitions  int
	Batch       int // records per WriteMessages call, as ingest gets per request
	Concurrency int // concurrent producers
	Duration    time.Duration
}

// RunKafkaBaseline produces envelopes (keyed by contact, acks=all) from
// Concurrency writers calling WriteMessages with Batch records for
// Duration, then drains the topic with a group reader and times it from
// the first record fetched. It deletes the topic afterwards.
func RunKafkaBaseline(ctx context.Context, c *kafka.Client, env *Envelopes, o KafkaBaselineOptions) (KafkaBaseline, error) {
	res := KafkaBaseline{Partitions: o.Partitions, Batch: o.Batch, Concurrency: o.Concurrency}
	if err := c.EnsureTopics(ctx, kafka.TopicSpec{Name: o.Topic, Partitions: o.Partitions}); err != nil {
		return res, fmt.Errorf("bench: kafka baseline topic: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = c.DeleteTopics(dctx, o.Topic)
	}()
	n, secs, err := produce(ctx, c, env, o)
	if err != nil {
		return res, err
	}
	res.Produced, res.ProducePerSec = n, float64(n)/secs
	m, secs, err := consume(ctx, c, o.Topic, n)
	res.Consumed = m
	if secs > 0 {
		res.ConsumePerSec = float64(m) / secs
	}
	return res, err
}

func produce(ctx context.Context, c *kafka.Client, env *Envelopes, o KafkaBaselineOptions) (int64, float64, error) {
	w := c.NewWriter(kafka.WriterOptions{})
	defer w.Close()
	stop, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var next, done atomic.Int64
	var firstErr error
	var errOnce sync.Once
	start := time.Now()
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Go(func() {
			msgs := make([]kafka.Message, o.Batch)
			for stop.Err() == nil {
				first := int(next.Add(int64(o.Batch))) - o.Batch
				for i := range msgs {
					seq := first + i
					msgs[i] = kafka.Message{Topic: o.Topic, Key: []byte("bench-contact-" + strconv.Itoa(seq%env.contacts)),
						Value: env.Append(nil, kindBaseline, seq)}
				}
				if err := w.WriteMessages(ctx, msgs...); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("bench: kafka baseline produce: %w", err) })
					return
				}
				done.Add(int64(o.Batch))
			}
		})
	}
	wg.Wait()
	return done.Load(), time.Since(start).Seconds(), firstErr
}

// consume reads want records from topic and returns how many it read and
// the seconds from the first to the last.
func consume(ctx context.Context, c *kafka.Client, topic string, want int64) (int64, float64, error) {
	r := c.NewGroupReader(topic+"-reader", []string{topic}, kafka.ReaderOptions{QueueCapacity: 10000})
	defer r.Close()
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var n int64
	var first time.Time
	for n < want {
		if _, err := r.Fetch(rctx); err != nil {
			return n, time.Since(first).Seconds(), fmt.Errorf("bench: kafka baseline consume (%d of %d): %w", n, want, err)
		}
		if n == 0 {
			first = time.Now()
		}
		n++
	}
	return n, time.Since(first).Seconds(), nil
}
