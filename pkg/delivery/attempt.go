package delivery

import (
	"context"
	"net/http"
	"time"

	json "github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Attempt is one delivery attempt as logged on engagehub.attempts. It never
// carries the request body, a secret or a signature: request headers are
// recorded with the signatures and credentials redacted, and the response
// body only as an excerpt of at most MaxExcerpt bytes.
type Attempt struct {
	Subscription string    `json:"subscription"`
	EventID      string    `json:"eventId"`
	EventType    string    `json:"eventType"`
	ContactID    string    `json:"contactId,omitempty"` // the record key
	Attempt      int       `json:"attempt"`
	Status       int       `json:"status,omitempty"`
	LatencyMS    float64   `json:"latencyMs"`
	Outcome      string    `json:"outcome"`
	Class        string    `json:"class"`
	Error        string    `json:"error,omitempty"`
	At           time.Time `json:"at"`
	// NextRetryAt is when the event is tried again (outcome retry): the
	// schedule's nominal delay or the receiver's Retry-After.
	NextRetryAt *time.Time `json:"nextRetryAt,omitempty"`
	// Topic, Partition and Offset locate the fan-out copy attempted.
	Topic     string `json:"topic,omitempty"`
	Partition int    `json:"partition"`
	Offset    int64  `json:"offset"`
	// RequestHeaders are the headers sent, signatures and credentials redacted.
	RequestHeaders map[string]string `json:"requestHeaders,omitempty"`
	// ResponseBody is the first MaxExcerpt bytes of the response body;
	// ResponseTruncated says there was more.
	ResponseBody      string `json:"responseBody,omitempty"`
	ResponseTruncated bool   `json:"responseTruncated,omitempty"`

	// header is the request's header, redacted into RequestHeaders by the
	// attempt log's goroutine (the worker pays nothing for it).
	header http.Header
}

// AttemptLog writes attempts to the attempt-log topic in batches. Record never
// blocks: when the buffer is full the attempt is dropped and counted (losing
// an attempt log is tolerable, stalling deliveries is not).
type AttemptLog struct {
	topic   string
	sink    Sink
	ch      chan Attempt
	metrics *Metrics
	log     *zap.Logger
}

// attemptBatch caps one write to the attempt log.
const attemptBatch = 500

// NewAttemptLog returns a log writing to topic through sink, buffering up to
// buffer attempts; Run must be running for anything to be written.
func NewAttemptLog(topic string, sink Sink, buffer int, m *Metrics, log *zap.Logger) *AttemptLog {
	return &AttemptLog{topic: topic, sink: sink, ch: make(chan Attempt, max(buffer, attemptBatch)), metrics: m, log: log}
}

// Record queues a; it drops a when the buffer is full.
func (l *AttemptLog) Record(a Attempt) {
	select {
	case l.ch <- a:
	default:
		l.metrics.dropped.Inc()
	}
}

// Run writes queued attempts in batches until ctx is done, then flushes what
// is queued (bounded by a short deadline).
func (l *AttemptLog) Run(ctx context.Context) error {
	batch := make([]kafka.Message, 0, attemptBatch)
	for {
		select {
		case <-ctx.Done():
			l.drain(&batch)
			flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			l.write(flushCtx, batch)
			return nil
		case a := <-l.ch:
			batch = append(batch[:0], l.message(a))
			l.drain(&batch)
			l.write(ctx, batch)
		}
	}
}

func (l *AttemptLog) drain(batch *[]kafka.Message) {
	for len(*batch) < attemptBatch {
		select {
		case a := <-l.ch:
			*batch = append(*batch, l.message(a))
		default:
			return
		}
	}
}

func (l *AttemptLog) message(a Attempt) kafka.Message {
	if a.header != nil {
		a.RequestHeaders = redactHeaders(a.header)
	}
	v, _ := json.Marshal(a)
	return kafka.Message{Topic: l.topic, Key: []byte(a.Subscription), Value: v}
}

func (l *AttemptLog) write(ctx context.Context, batch []kafka.Message) {
	if len(batch) == 0 {
		return
	}
	if err := l.sink.WriteMessages(ctx, batch...); err != nil {
		l.log.Warn("attempt log write failed", zap.String("topic", l.topic), zap.Int("count", len(batch)), zap.Error(err))
	}
}
