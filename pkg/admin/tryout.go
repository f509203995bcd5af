package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/filter"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/transform"
)

// Tryout serves POST /v1/subscriptions/test-filter and …/test-transform:
// a filter or transformation tried on an event (or a catalog example)
// before it is saved, as fan-out and the sender would run it.
type Tryout struct {
	limits transform.Config
	now    func() time.Time
}

// NewTryout returns the handlers; limits are the senders' transformation
// limits.
func NewTryout(limits transform.Config) *Tryout {
	return &Tryout{limits: limits, now: time.Now}
}

// Routes returns the two authenticated routes.
func (t *Tryout) Routes() []httpapi.Route {
	route := func(path, summary string, h http.HandlerFunc) httpapi.Route {
		return httpapi.Route{Method: http.MethodPost, Path: path, Summary: summary, Tag: tag, Authenticated: true, Handler: h}
	}
	return []httpapi.Route{
		route("/v1/subscriptions/test-filter", "evaluate a filter on an event or a catalog example", t.testFilter),
		route("/v1/subscriptions/test-transform", "run a transformation on an event or a catalog example", t.testTransform),
	}
}

// sample is the event part of both requests: an envelope as Engage sends
// it, or the catalog example of eventType.
type sample struct {
	Event     json.RawMessage   `json:"event,omitempty"`
	EventType string            `json:"eventType,omitempty"`
	Source    string            `json:"source,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
}

// FilterRequest is the body of test-filter.
type FilterRequest struct {
	Filter string `json:"filter"`
	// EventTypes are the subscription's patterns the filter is checked
	// against; default: the event's type.
	EventTypes []string `json:"eventTypes,omitempty"`
	sample
}

// FilterResult is the answer of test-filter: whether the event would be
// copied, and why not when the filter failed on it.
type FilterResult struct {
	Match     bool   `json:"match"`
	Error     string `json:"error,omitempty"`
	EventType string `json:"eventType"`
}

func (t *Tryout) testFilter(w http.ResponseWriter, r *http.Request) {
	var req FilterRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	ev, ok := t.event(w, req.sample)
	if !ok {
		return
	}
	types := req.EventTypes
	if len(types) == 0 {
		types = []string{string(ev.Type)}
	}
	prg, err := filter.Compile(req.Filter, types)
	if err != nil {
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_filter", "filter: "+err.Error())
		return
	}
	match, err := prg.Match(filter.FromEvent(ev, recordHeaders(ev, req.Headers)))
	res := FilterResult{Match: match, EventType: string(ev.Type)}
	if err != nil {
		res.Error = err.Error()
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// TransformRequest is the body of test-transform.
type TransformRequest struct {
	Transform string `json:"transform"`
	// URL and Headers are the destination's, as the script gets them;
	// default https://receiver.example/webhook and none.
	URL string `json:"url,omitempty"`
	sample
}

// TransformResult is the request the sender would sign and send, or
// cancel true when the script cancelled it.
type TransformResult struct {
	Cancel  bool              `json:"cancel"`
	Method  string            `json:"method,omitempty"`
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

func (t *Tryout) testTransform(w http.ResponseWriter, r *http.Request) {
	var req TransformRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	ev, ok := t.event(w, req.sample)
	if !ok {
		return
	}
	if req.URL == "" {
		req.URL = "https://receiver.example/webhook"
	}
	script, err := transform.Compile(req.Transform, t.limits)
	var out transform.Webhook
	if err == nil {
		out, err = script.Run(r.Context(), transform.Webhook{EventType: string(ev.Type), URL: req.URL, Headers: req.Headers, Payload: ev.Raw})
	}
	if err != nil {
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_transform", "transform: "+err.Error())
		return
	}
	res := TransformResult{Cancel: out.Cancel}
	if !out.Cancel {
		res.Method, res.URL, res.Headers, res.Body = out.Method, out.URL, out.Headers, out.Payload
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// event builds the sample's event as ingest would, answering errors itself.
func (t *Tryout) event(w http.ResponseWriter, s sample) (event.Event, bool) {
	raw := []byte(s.Event)
	switch {
	case len(raw) > 0 && s.EventType != "":
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_request", "event, eventType: give one, not both")
		return event.Event{}, false
	case len(raw) == 0:
		spec, ok := event.Lookup(event.Type(s.EventType))
		if !ok {
			httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_request", "eventType: "+quoteOrNone(s.EventType)+" is not in the catalog (give an event instead)")
			return event.Event{}, false
		}
		raw = spec.Example
	}
	env, err := event.Parse(raw)
	var ev event.Event
	if err == nil {
		ev, err = event.New(env, sourceOr(s.Source), t.now())
	}
	if err != nil {
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_event", "event: "+err.Error())
		return event.Event{}, false
	}
	return ev, true
}

// recordHeaders are the headers of ev's Kafka record as ingest writes them,
// plus extra.
func recordHeaders(ev event.Event, extra map[string]string) map[string]string {
	out := map[string]string{"event-id": ev.ID, "event-type": string(ev.Type), "source": ev.Source,
		"received-at": ev.ReceivedAt.Format(time.RFC3339Nano)}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func sourceOr(s string) string {
	if s == "" {
		return event.SourceEngage
	}
	return s
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// decodeStrict reads a JSON body into v, rejecting unknown fields (400 for
// malformed JSON, 422 naming an unknown field).
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readBody(w, r)
	if !ok {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &typeErr):
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_request", typeErr.Field+": wrong type")
	case bytes.HasPrefix([]byte(err.Error()), []byte("json: unknown field")):
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_request", err.Error()[len("json: "):])
	default:
		httpapi.WriteError(w, http.StatusBadRequest, "malformed_json", err.Error())
	}
	return false
}
