package fanout

import (
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Headers of a dead letter, as the senders write them (package delivery),
// so one reader lists both.
const (
	headerDLQStatus   = "dlq-status"
	headerDLQError    = "dlq-error"
	headerDLQAttempts = "dlq-attempts"
	headerDLQAt       = "dlq-at"
)

// DefaultDeadLetterPrefix is the dead-letter topic prefix when
// Deps.DeadLetterPrefix is empty (sender.topics.dlq_prefix's default).
const DefaultDeadLetterPrefix = "engagehub.dlq."

// deadLetterFor makes the dead letter of m for tg's subscription: the
// original key and value on engagehub.dlq.<id>, its headers plus the
// subscription and why ("decode: ..."). It is written in the batch, in
// place of the copy.
func (f *Fanout) deadLetterFor(tg *target, m *kafka.Message, class string, cause error) kafka.Message {
	headers := f.buf.headers(len(m.Headers) + 5)
	copy(headers, m.Headers)
	extra := headers[len(m.Headers):]
	extra[0] = tg.header
	extra[1] = kafka.Header{Key: headerDLQStatus, Value: []byte("0")}
	extra[2] = kafka.Header{Key: headerDLQError, Value: []byte(class + ": " + cause.Error())}
	extra[3] = kafka.Header{Key: headerDLQAttempts, Value: []byte("0")}
	extra[4] = kafka.Header{Key: headerDLQAt, Value: []byte(f.now().UTC().Format(time.RFC3339Nano))}
	tg.deadLetters++
	f.log.Warn("dead-letter: cannot decode event", zap.String("subscription", tg.sub.ID), zap.String("topic", m.Topic),
		zap.Int("partition", m.Partition), zap.Int64("offset", m.Offset), zap.Error(cause))
	return kafka.Message{Topic: f.dlqPrefix + tg.sub.ID, Key: m.Key, Value: m.Value, Headers: headers}
}
