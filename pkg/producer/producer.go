package producer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

// Encoder turns an event into its topic and framed Avro value; *schema.Serde
// satisfies it. An unknown type (or an undecryptable payload) goes to the
// unrecognized topic. Errors are not retriable: the event cannot be encoded.
type Encoder interface {
	Marshal(ev event.Event) (topic string, value []byte, err error)
}

// Sink writes records; *kafka.Writer satisfies it. WriteMessages returns once
// every record is acknowledged by all in-sync replicas (acks=all), or an
// error, after which some records may have been written: callers retry the
// whole call, which event-id deduplication downstream makes safe. Cancelling
// ctx abandons the wait. Errors are retriable when kafka.Retriable says so.
type Sink interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// ErrNoEvents is returned by Publish when called with nothing to publish.
var ErrNoEvents = errors.New("producer: no events")

// Producer publishes events to their topics. It is safe for concurrent use.
type Producer struct {
	enc   Encoder
	sink  Sink
	now   func() time.Time
	close func() error
}

// Option configures New.
type Option func(*Producer)

// WithClock sets the clock that stamps events without a ReceivedAt.
// Default time.Now.
func WithClock(now func() time.Time) Option {
	return func(p *Producer) { p.now = now }
}

// New returns a Producer encoding with enc and writing to sink.
func New(enc Encoder, sink Sink, opts ...Option) *Producer {
	p := &Producer{enc: enc, sink: sink, now: time.Now}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Publish writes events in one WriteMessages call, so that with acks=all
// either every record is acknowledged or an error is returned (after which
// some may have landed: retry the whole call). Events without an ID get a
// fresh UUIDv7, events without ReceivedAt get the clock's time; events is
// updated in place so callers can report the ids. When ctx holds an
// OpenTelemetry span, every record carries its traceparent, so the
// deliveries of the events continue the caller's trace.
func (p *Producer) Publish(ctx context.Context, events ...event.Event) error {
	if len(events) == 0 {
		return ErrNoEvents
	}
	msgs, err := p.Records(events)
	if err != nil {
		return err
	}
	if parent := telemetry.ParentOf(ctx); !parent.Empty() {
		for i := range msgs {
			msgs[i].Headers = parent.AppendTo(msgs[i].Headers)
		}
	}
	if err := p.sink.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("producer: publish %d events: %w", len(events), err)
	}
	return nil
}

// Records fills in missing ids and receive times (in place) and returns the
// Kafka records of events, in order, without writing them. Ingest uses it to
// write through its own instrumented sink.
func (p *Producer) Records(events []event.Event) ([]kafka.Message, error) {
	msgs := make([]kafka.Message, len(events))
	now := p.now()
	for i := range events {
		Stamp(&events[i], now)
		m, err := Record(p.enc, events[i])
		if err != nil {
			return nil, err
		}
		msgs[i] = m
	}
	return msgs, nil
}

// Stamp gives ev a fresh UUIDv7 id when it has none and now as its receive
// time when it has none.
func Stamp(ev *event.Event, now time.Time) {
	if ev.ID == "" {
		ev.ID = NewID()
	}
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = now.UTC().Truncate(time.Millisecond)
	}
}

// NewID returns a fresh event id: a UUIDv7 (time-ordered), or a UUIDv4
// should the v7 generator fail.
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// Record returns ev's Kafka record: its topic and framed Avro value from enc,
// the contactId as key and the four standard headers.
func Record(enc Encoder, ev event.Event) (kafka.Message, error) {
	topic, value, err := enc.Marshal(ev)
	if err != nil {
		return kafka.Message{}, fmt.Errorf("producer: encode %s %s: %w", ev.Type, ev.ID, err)
	}
	return kafka.Message{
		Topic:   topic,
		Key:     []byte(ev.ContactID),
		Value:   value,
		Time:    ev.ReceivedAt,
		Headers: Headers(ev),
	}, nil
}

// Headers returns the four standard headers of ev's record; received-at is
// RFC 3339 with nanoseconds, in UTC.
func Headers(ev event.Event) []kafka.Header {
	return []kafka.Header{
		{Key: event.HeaderEventID, Value: []byte(ev.ID)},
		{Key: event.HeaderEventType, Value: []byte(ev.Type)},
		{Key: event.HeaderSource, Value: []byte(ev.Source)},
		{Key: event.HeaderReceivedAt, Value: []byte(ev.ReceivedAt.UTC().Format(time.RFC3339Nano))},
	}
}

// Close releases what Dial opened; it is a no-op for a Producer from New.
func (p *Producer) Close() error {
	if p.close == nil {
		return nil
	}
	return p.close()
}
