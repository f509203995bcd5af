package delivery

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/telemetry"
)

// Request is one webhook request before it is signed: what a Transformer
// may change.
type Request struct {
	Method    string            // "POST" (default) or "PUT"
	URL       string            // the endpoint's URL
	Headers   map[string]string // the endpoint's custom headers
	Body      []byte            // the event's envelope JSON
	EventType string            // read-only
	// Trace is the attempt's trace context, sent as traceparent and
	// tracestate; set per attempt, after any transformation.
	Trace telemetry.Parent
}

// Transformer is a subscription's transformation (cmd wires package
// transform's Script). Endpoints compare it by identity, so it must be
// comparable: use a pointer.
type Transformer interface {
	// Transform returns the request to sign and send, or cancel true to
	// send nothing for this event (it is settled). It must bound its own
	// run time and honour ctx; an error dead-letters the event with class
	// "transform" and is never retried.
	Transform(ctx context.Context, r Request) (out Request, cancel bool, err error)
}

// ErrTransform wraps a transformation's failure: Classify makes it a dead
// letter of class "transform".
var ErrTransform = errors.New("delivery: transformation failed")

// request is j's request: the endpoint's, with body, transformed by the
// endpoint's Transformer if it has one. ok is false when there is nothing
// to send: then v says whether j was settled (cancelled, or
// dead-lettered) or abandoned because ctx (the hard stop) ended.
func (w *Worker) request(ctx context.Context, j *job, body []byte) (req Request, v verdict, ok bool) {
	ep := w.current()
	req = Request{Method: "POST", URL: ep.URL, Headers: ep.Headers, Body: body, EventType: j.typ}
	if ep.Transform == nil {
		return req, verdict{}, true
	}
	out, cancel, err := ep.Transform.Transform(ctx, req)
	switch {
	case err != nil && ctx.Err() != nil:
		return Request{}, verdict{}, false
	case err != nil:
		res := Result{Err: fmt.Errorf("%w: %w", ErrTransform, err)}
		o := Classify(0, "", res.Err, w.clock.Now())
		w.observe(j, res, o)
		return Request{}, w.deadLetter(ctx, j, res, o), false
	case cancel:
		w.deps.Metrics.deliveries.WithLabelValues(w.ep.ID, "cancelled").Inc()
		w.log.Debug("cancelled by the transformation", zap.String("event_id", j.id), zap.String("event_type", j.typ))
		return Request{}, verdict{settled: true}, false
	}
	out.EventType = j.typ
	return out, verdict{}, true
}
