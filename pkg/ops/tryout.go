package ops

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/filter"
	"github.com/engagehub/engagehub/pkg/transform"
)

// Sample is the event part of a try-out: an envelope as Engage sends it,
// or the catalog example of EventType (one of the two).
type Sample struct {
	Event     json.RawMessage   `json:"event,omitempty"`
	EventType string            `json:"eventType,omitempty"`
	Source    string            `json:"source,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
}

// FilterRequest is a filter to try on a sample.
type FilterRequest struct {
	Filter string `json:"filter"`
	// EventTypes are the subscription's patterns the filter is checked
	// against; default: the event's type.
	EventTypes []string `json:"eventTypes,omitempty"`
	Sample
}

// FilterResult says whether the event would be copied, and why not when
// the filter failed on it.
type FilterResult struct {
	Match     bool   `json:"match"`
	Error     string `json:"error,omitempty"`
	EventType string `json:"eventType"`
}

// TestFilter evaluates r.Filter on the sample as fan-out would.
func (s *Service) TestFilter(_ context.Context, r FilterRequest) (FilterResult, error) {
	ev, err := s.sampleEvent(r.Sample)
	if err != nil {
		return FilterResult{}, err
	}
	types := r.EventTypes
	if len(types) == 0 {
		types = []string{string(ev.Type)}
	}
	prg, err := filter.Compile(r.Filter, types)
	if err != nil {
		return FilterResult{}, &Invalid{Field: "filter", Message: err.Error(), Code: "invalid_filter"}
	}
	match, err := prg.Match(filter.FromEvent(ev, recordHeaders(ev, r.Headers)))
	res := FilterResult{Match: match, EventType: string(ev.Type)}
	if err != nil {
		res.Error = err.Error()
	}
	return res, nil
}

// TransformRequest is a transformation to try on a sample.
type TransformRequest struct {
	Transform string `json:"transform"`
	// URL and Headers are the destination's, as the script gets them;
	// default https://receiver.example/webhook and none.
	URL string `json:"url,omitempty"`
	Sample
}

// TransformResult is the request the sender would sign and send, or
// Cancel when the script cancelled it.
type TransformResult struct {
	Cancel  bool              `json:"cancel"`
	Method  string            `json:"method,omitempty"`
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// TestTransform runs r.Transform on the sample as the sender would.
func (s *Service) TestTransform(ctx context.Context, r TransformRequest) (TransformResult, error) {
	ev, err := s.sampleEvent(r.Sample)
	if err != nil {
		return TransformResult{}, err
	}
	if r.URL == "" {
		r.URL = "https://receiver.example/webhook"
	}
	script, err := transform.Compile(r.Transform, s.d.Transform)
	var out transform.Webhook
	if err == nil {
		out, err = script.Run(ctx, transform.Webhook{EventType: string(ev.Type), URL: r.URL, Headers: r.Headers, Payload: ev.Raw})
	}
	if err != nil {
		return TransformResult{}, &Invalid{Field: "transform", Message: err.Error(), Code: "invalid_transform"}
	}
	res := TransformResult{Cancel: out.Cancel}
	if !out.Cancel {
		res.Method, res.URL, res.Headers, res.Body = out.Method, out.URL, out.Headers, out.Payload
	}
	return res, nil
}

// sampleEvent builds the sample's event as ingest would.
func (s *Service) sampleEvent(smp Sample) (event.Event, error) {
	raw := []byte(smp.Event)
	switch {
	case len(raw) > 0 && smp.EventType != "":
		return event.Event{}, &Invalid{Field: "event, eventType", Message: "give one, not both"}
	case len(raw) == 0:
		spec, ok := event.Lookup(event.Type(smp.EventType))
		if !ok {
			return event.Event{}, &Invalid{Field: "eventType", Message: quoteOrNone(smp.EventType) + " is not in the catalog (give an event instead)"}
		}
		raw = spec.Example
	}
	env, err := event.Parse(raw)
	var ev event.Event
	if err == nil {
		ev, err = event.New(env, sourceOr(smp.Source), s.now())
	}
	if err != nil {
		return event.Event{}, &Invalid{Field: "event", Message: err.Error(), Code: "invalid_event"}
	}
	return ev, nil
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
	return strconv.Quote(s)
}
