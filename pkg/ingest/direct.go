package ingest

import (
	"context"
	"net/http"
	"strconv"
)

// EventRef is one published event and the topic it went to.
type EventRef = eventRef

// Rejection is why Publish refused a body: the status, code and message
// POST /v1/events answers for it, and for 503 the seconds to wait.
type Rejection struct {
	Status     int
	Code       string
	Message    string
	RetryAfter int
}

// Error returns "ingest: 422 invalid_field: payload.contactId: ...".
func (r *Rejection) Error() string {
	return "ingest: " + strconv.Itoa(r.Status) + " " + r.Code + ": " + r.Message
}

// doorDirect labels the requests published through Publish (the console,
// the operator service layer).
const doorDirect = "direct"

// Publish validates, encodes and writes body (one envelope or a JSON array
// of them) as POST /v1/events does, without its HTTP framing: the same
// checks, the same records, one acks=all write. source names the
// producer ("api" when empty). A refusal is a *Rejection; a 503 one is
// retriable.
func (in *Ingest) Publish(ctx context.Context, body []byte, source string) ([]EventRef, error) {
	if source == "" {
		source = defaultSource
	}
	refs, f := in.publishDirect(ctx, body, source)
	if f != nil {
		in.metrics.requests.WithLabelValues(doorDirect, f.outcome, typeLabel(f.eventType)).Inc()
		return nil, &Rejection{Status: f.status, Code: f.code, Message: f.message, RetryAfter: f.retryAfter}
	}
	return refs, nil
}

func (in *Ingest) publishDirect(ctx context.Context, body []byte, source string) ([]EventRef, *failure) {
	switch {
	case !in.ready.Load():
		return nil, unavailable("starting", "ingest is rebuilding its dedup window", 1)
	case int64(len(body)) > in.cfg.MaxBodyBytes:
		return nil, &failure{status: http.StatusRequestEntityTooLarge, code: "too_large", outcome: outcomeTooLarge,
			message: "body: over ingest.max_body_bytes (" + strconv.FormatInt(in.cfg.MaxBodyBytes, 10) + ")"}
	}
	events, f := in.parseBatch(body, source)
	if f != nil {
		return nil, f
	}
	msgs, f := in.records(events)
	if f != nil {
		return nil, f
	}
	if f := in.write(ctx, doorDirect, msgs); f != nil {
		return nil, f
	}
	refs := make([]EventRef, len(events))
	for i, ev := range events {
		refs[i] = eventRef{EventID: ev.ID, EventType: ev.Type, Topic: msgs[i].Topic}
		in.metrics.requests.WithLabelValues(doorDirect, outcomeAccepted, typeLabel(ev.Type)).Inc()
	}
	return refs, nil
}
