package ingest

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// serveEngage handles POST /ingest/engage:
// read → verify → content type → parse → dedupe → encode → publish.
func (in *Ingest) serveEngage(w http.ResponseWriter, r *http.Request) {
	buf, l := getBuffer(), in.budget.lease()
	defer l.release()
	defer putBuffer(buf)
	tr, w, r := in.startTrace(w, r, "/ingest/engage")
	if f := in.engage(w, r, buf, l, &tr); f != nil {
		in.reject(w, doorEngage, f)
	}
	tr.end()
}

func (in *Ingest) engage(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer, l *lease, tr *traced) *failure {
	if !in.ready.Load() {
		return unavailable("starting", "ingest is rebuilding its dedup window", 1)
	}
	body, f := readBody(r, buf, in.cfg.MaxBodyBytes, l)
	if f != nil {
		return f
	}
	in.metrics.bytes.WithLabelValues(doorEngage).Add(float64(len(body)))
	span := tr.step(r.Context(), "verify")
	msgID, f := in.verify(r.Header, body)
	span.End()
	if f != nil {
		return f
	}
	if f := checkContentType(r); f != nil {
		return f
	}
	ev, f := in.parseEngage(body, msgID)
	if f != nil {
		return f
	}
	return in.publishOnce(r.Context(), w, msgID, ev, tr)
}

// verify checks the Svix / Standard Webhooks signature: 401 on any failure.
func (in *Ingest) verify(h http.Header, body []byte) (string, *failure) {
	unauthorized := func(msg string) *failure {
		return &failure{status: http.StatusUnauthorized, code: "invalid_signature", message: msg, outcome: outcomeUnauthorized}
	}
	if in.verifier == nil {
		return "", unauthorized("no webhook secret is configured (ingest.engage.secrets)")
	}
	msgID, err := in.verifier.Verify(h, body)
	switch {
	case err == nil:
		return msgID, nil
	case errors.Is(err, webhook.ErrTimestampTooOld), errors.Is(err, webhook.ErrTimestampTooNew):
		return "", unauthorized("webhook-timestamp: outside the tolerance of ingest.engage.tolerance")
	default:
		return "", unauthorized(err.Error())
	}
}

// parseEngage parses and validates the envelope (400 / 422), decrypting an
// encrypted payload when a key is configured. An event without an id gets
// the message id, which is stable across Engage's retries.
func (in *Ingest) parseEngage(body []byte, msgID string) (event.Event, *failure) {
	env, err := event.Parse(body)
	if err != nil {
		return event.Event{}, parseFailure("", err)
	}
	ev, err := in.newEvent(env)
	if err != nil {
		f := parseFailure("", err)
		f.eventType = env.Type
		return event.Event{}, f
	}
	if ev.ID == "" {
		ev.ID = msgID
	}
	return ev, nil
}

// newEvent builds the event; an encrypted payload is decrypted when a key is
// configured and the plaintext validates, and otherwise kept as ciphertext
// (untyped, on the unrecognized topic). Raw stays the envelope as received.
func (in *Ingest) newEvent(env event.Envelope) (event.Event, error) {
	now := in.now()
	if env.IsEncrypted && env.Payload == nil && in.decrypt != nil {
		if clear, ok := in.decrypted(env); ok {
			if ev, err := event.New(clear, event.SourceEngage, now); err == nil {
				return ev, nil
			}
		}
	}
	return event.New(env, event.SourceEngage, now)
}

func (in *Ingest) decrypted(env event.Envelope) (event.Envelope, bool) {
	v, ok := payloadText(env.Raw)
	if !ok {
		return env, false
	}
	fields, err := in.decrypt.payload(v)
	if err != nil {
		return env, false
	}
	env.Payload = fields
	return env, true
}

// publishOnce writes ev unless its message id was already written (2xx,
// nothing written) or is being written by another request (wait for it).
func (in *Ingest) publishOnce(ctx context.Context, w http.ResponseWriter, msgID string, ev event.Event, tr *traced) *failure {
	dup, err := in.dedup.Acquire(ctx, msgID)
	if err != nil {
		return unavailable("in_flight", "a delivery of this message is still being written; retry later", in.retryAfter)
	}
	if dup {
		in.metrics.duplicates.Inc()
		in.metrics.requests.WithLabelValues(doorEngage, outcomeDuplicate, typeLabel(ev.Type)).Inc()
		rec := eventRef{EventID: ev.ID, EventType: ev.Type}
		writeDuplicate(w, rec)
		return nil
	}
	events := []event.Event{ev}
	msgs, f := in.records(ctx, events, tr)
	if f == nil {
		msgs[0].Headers = append(msgs[0].Headers, kafka.Header{Key: event.HeaderWebhookID, Value: []byte(msgID)})
		f = in.write(ctx, doorEngage, msgs)
	}
	in.dedup.Release(msgID, f == nil)
	if f == nil && in.journal != nil {
		in.outbox.add(IDHash(msgID), in.now())
	}
	if f != nil {
		f.eventType = ev.Type
		return f
	}
	in.accept(w, doorEngage, http.StatusOK, events, msgs)
	return nil
}
