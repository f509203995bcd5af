package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// ResponseLog is the idempotency window's shared, durable copy: a topic on
// which every ingest replica publishes the first response to each
// Idempotency-Key before sending it, so that a retry after a restart, or
// on another replica, gets it again.
type ResponseLog interface {
	// Publish appends the response to key and returns once Kafka
	// acknowledged it. An error is retriable.
	Publish(ctx context.Context, key string, s *stored) error
	// Run follows the log from where the replay ended, handing the
	// remember function given to the opener what every replica publishes,
	// until ctx is done; it waits out Kafka outages itself.
	Run(ctx context.Context) error
	// Close releases the log once Run has returned.
	Close() error
}

// ResponseLogOpener replays the responses published at or after since into
// remember and returns the log once caught up. An error is retriable.
type ResponseLogOpener func(ctx context.Context, since time.Time, remember func(key string, s *stored)) (ResponseLog, error)

// responseRecord is a stored response as a record value (the key is the
// Idempotency-Key, the timestamp the response's time).
type responseRecord struct {
	V        int    `json:"v"`
	Sum      []byte `json:"sum"`
	Status   int    `json:"status"`
	Response []byte `json:"response"`
}

// KafkaResponses returns a ResponseLogOpener over topic, created (one
// partition, records kept for retention) when missing.
func KafkaResponses(client *kafka.Client, topic string, retention time.Duration, log *zap.Logger) ResponseLogOpener {
	if log == nil {
		log = zap.NewNop()
	}
	spec := kafka.TopicSpec{Name: topic, Configs: map[string]string{
		"retention.ms": strconv.FormatInt(retention.Milliseconds(), 10),
		"segment.ms":   strconv.FormatInt(min(retention, time.Hour).Milliseconds(), 10),
	}}
	return func(ctx context.Context, since time.Time, remember func(string, *stored)) (ResponseLog, error) {
		l := &kafkaResponses{topic: topic, since: since, remember: remember, log: log}
		table, err := client.OpenLog(ctx, spec, since, l.apply)
		if err != nil {
			return nil, fmt.Errorf("ingest: open idempotency topic %s: %w", topic, err)
		}
		l.table = table
		return l, nil
	}
}

type kafkaResponses struct {
	topic    string
	since    time.Time
	table    *kafka.Table
	remember func(string, *stored)
	log      *zap.Logger
}

func (l *kafkaResponses) Publish(ctx context.Context, key string, s *stored) error {
	v, _ := json.Marshal(responseRecord{V: 1, Sum: s.sum[:], Status: s.status, Response: s.response})
	if err := l.table.AppendAt(ctx, s.at, []byte(key), v); err != nil {
		return fmt.Errorf("ingest: publish idempotent response to %s: %w", l.topic, err)
	}
	return nil
}

func (l *kafkaResponses) Run(ctx context.Context) error { return l.table.Run(ctx) }

func (l *kafkaResponses) Close() error { return l.table.Close() }

// apply remembers a published response; one it cannot read is skipped
// with a warning (it only costs a possible duplicate).
func (l *kafkaResponses) apply(m kafka.Message) {
	if m.Time.Before(l.since) {
		return
	}
	var r responseRecord
	if err := json.Unmarshal(m.Value, &r); err != nil || r.V != 1 || len(r.Sum) != 32 || r.Status < 200 || r.Status > 299 {
		l.log.Warn("skip idempotency record", zap.String("topic", m.Topic), zap.Int("partition", m.Partition), zap.Int64("offset", m.Offset))
		return
	}
	s := &stored{status: r.Status, response: r.Response, at: m.Time}
	copy(s.sum[:], r.Sum)
	l.remember(string(m.Key), s)
}

// shareResponse publishes s before the response is sent, within
// ingest.write_timeout; a failure is logged (the events are written, and
// this replica still remembers s: a retry elsewhere may write again).
func (in *Ingest) shareResponse(ctx context.Context, key string, s *stored) {
	l := in.responseLog.Load()
	if l == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.cfg.WriteTimeout)
	defer cancel()
	if err := (*l).Publish(ctx, key, s); err != nil {
		in.log.Warn("idempotent response not shared", zap.Error(err))
	}
}

// runResponses replays the idempotency window, then follows it until ctx
// is done; idempotent requests get 503 until it is replayed.
func (in *Ingest) runResponses(ctx context.Context) {
	outage := kafka.NewOutage("rebuild idempotency window", in.backoff, in.log, in.now)
	for {
		l, err := in.responseOpener(ctx, in.now().Add(-in.cfg.IdempotencyWindow), in.responses.remember)
		if err == nil {
			outage.Succeeded()
			in.responseLog.Store(&l)
			in.idemReady.Store(true)
			_ = l.Run(ctx)
			_ = l.Close()
			return
		}
		if !outage.Failed(ctx, err) {
			return
		}
	}
}
