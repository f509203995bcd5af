package ingest

import (
	"context"
	"net/http"
	"strconv"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// eventRef is one accepted event in a response.
type eventRef struct {
	EventID   string     `json:"eventId"`
	EventType event.Type `json:"eventType"`
	Topic     string     `json:"topic"`
}

// response is the body of every 2xx answer.
type response struct {
	Events    []eventRef `json:"events"`
	Duplicate bool       `json:"duplicate,omitempty"`
}

// records encodes events (filling missing ids and receive times) into
// their Kafka records, each carrying the request's trace context; an
// encoding failure is 500, as the event validated.
func (in *Ingest) records(ctx context.Context, events []event.Event, tr *traced) ([]kafka.Message, *failure) {
	span := tr.step(ctx, "encode")
	msgs, err := in.prod.Records(events)
	span.End()
	if err != nil {
		in.log.Error("encode failed", zap.Error(err))
		return nil, &failure{status: http.StatusInternalServerError, code: "encode_failed",
			message: "the event could not be encoded", outcome: outcomeError}
	}
	for i := range msgs {
		if f := tooLargeForKafka(i, len(msgs), msgs[i]); f != nil {
			return nil, f
		}
	}
	tr.stamp(msgs)
	return msgs, nil
}

// maxRecordBytes leaves room under the writer's batch limit for the
// per-record overhead kafka-go counts.
const maxRecordBytes = kafka.DefaultBatchBytes - 1024

// tooLargeForKafka answers 413 for a record Kafka would refuse: the Avro
// record holds the envelope twice (typed fields and raw), so a body under
// ingest.max_body_bytes can still encode over the limit. Retrying cannot help.
func tooLargeForKafka(i, n int, m kafka.Message) *failure {
	size := len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		size += len(h.Key) + len(h.Value)
	}
	if size <= maxRecordBytes {
		return nil
	}
	prefix := ""
	if n > 1 {
		prefix = "[" + strconv.Itoa(i) + "]: "
	}
	return &failure{status: http.StatusRequestEntityTooLarge, code: "too_large", outcome: outcomeTooLarge,
		message: prefix + "the event encodes to a " + strconv.Itoa(size) + "-byte Kafka record, over the " +
			strconv.Itoa(maxRecordBytes) + "-byte limit"}
}

// write sends msgs in one WriteMessages call with acks=all and waits at
// most ingest.write_timeout: a failure or timeout is 503 with Retry-After.
func (in *Ingest) write(ctx context.Context, door string, msgs []kafka.Message) *failure {
	ctx, cancel := context.WithTimeout(ctx, in.cfg.WriteTimeout)
	defer cancel()
	span := in.produceSpan(ctx, msgs)
	start := in.now()
	err := in.sink.WriteMessages(ctx, msgs...)
	took := in.now().Sub(start)
	in.metrics.write.WithLabelValues(door).Observe(took.Seconds())
	var f *failure
	if err != nil {
		in.log.Warn("kafka write failed", zap.Int("records", len(msgs)), zap.Duration("duration", took), zap.Error(err))
		f = unavailable("kafka_unavailable", "Kafka did not acknowledge the write; retry later", in.retryAfter)
	}
	endProduce(span, f)
	return f
}

// accept answers 200 (202 when any event is outside the catalog, or for the
// API door) listing the events and their topics, and counts them.
func (in *Ingest) accept(w http.ResponseWriter, door string, status int, events []event.Event, msgs []kafka.Message) {
	refs := make([]eventRef, len(events))
	for i, ev := range events {
		refs[i] = eventRef{EventID: ev.ID, EventType: ev.Type, Topic: msgs[i].Topic}
		outcome := outcomeAccepted
		if !ev.Type.Known() {
			outcome = outcomeUnrecognized
			in.metrics.unrecognized.Inc()
			status = http.StatusAccepted
		}
		in.metrics.requests.WithLabelValues(door, outcome, typeLabel(ev.Type)).Inc()
	}
	httpapi.WriteJSON(w, status, response{Events: refs})
}

// reject answers f and counts it.
func (in *Ingest) reject(w http.ResponseWriter, door string, f *failure) {
	in.metrics.requests.WithLabelValues(door, f.outcome, typeLabel(f.eventType)).Inc()
	f.write(w)
}
