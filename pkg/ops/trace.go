package ops

import (
	"context"
	"slices"

	"github.com/engagehub/engagehub/pkg/event"
)

// TraceQuery names what to trace: one event, or every event of a contact.
type TraceQuery struct {
	EventID   string
	ContactID string
	// Limit caps the attempts looked at, 1..MaxLimit; 0 means MaxLimit.
	Limit int
}

// Trace is where events went.
type Trace struct {
	Events []TracedEvent `json:"events"`
}

// TracedEvent is one event: its event topic, and its fan-out copies (one
// per subscription that attempted it).
type TracedEvent struct {
	EventID   string       `json:"eventId"`
	EventType string       `json:"eventType"`
	ContactID string       `json:"contactId,omitempty"`
	Topic     string       `json:"topic"`
	Copies    []TracedCopy `json:"copies"`
}

// TracedCopy is one subscription's copy of an event: where it lies on the
// delivery topic and every attempt, oldest first.
type TracedCopy struct {
	Subscription string    `json:"subscription"`
	Topic        string    `json:"topic"`
	Partition    int       `json:"partition"`
	Offset       int64     `json:"offset"`
	Outcome      string    `json:"outcome"` // of the last attempt
	Attempts     []Attempt `json:"attempts"`
}

// Trace follows an event id or a contact id through fan-out to every
// attempt of every subscription, newest event first.
func (s *Service) Trace(ctx context.Context, q TraceQuery) (Trace, error) {
	if q.EventID == "" && q.ContactID == "" {
		return Trace{}, &Invalid{Field: "eventId", Message: "give an event id or a contact id", Code: "invalid_trace"}
	}
	if err := CheckLimit(q.Limit); err != nil {
		return Trace{}, err
	}
	if s.d.Attempts == nil {
		return Trace{}, missing("trace", "admin")
	}
	if q.Limit == 0 {
		q.Limit = MaxLimit
	}
	page, err := s.d.Attempts.Attempts(ctx, AttemptQuery{EventID: q.EventID, ContactID: q.ContactID, Limit: q.Limit})
	if err != nil {
		return Trace{}, kafkaDown(err)
	}
	return Trace{Events: s.group(page.Attempts)}, nil
}

// group turns attempts (newest first) into events and copies.
func (s *Service) group(attempts []Attempt) []TracedEvent {
	events := []TracedEvent{}
	index := map[string]int{}
	copies := map[[2]string]int{}
	for i := len(attempts) - 1; i >= 0; i-- { // oldest first
		a := attempts[i]
		ei, ok := index[a.EventID]
		if !ok {
			ei = len(events)
			index[a.EventID] = ei
			events = append(events, TracedEvent{EventID: a.EventID, EventType: a.EventType, ContactID: a.ContactID,
				Topic: event.Topic(s.d.TopicPrefix, event.Type(a.EventType)), Copies: []TracedCopy{}})
		}
		ev := &events[ei]
		key := [2]string{a.EventID, a.Subscription}
		ci, ok := copies[key]
		if !ok {
			ci = len(ev.Copies)
			copies[key] = ci
			ev.Copies = append(ev.Copies, TracedCopy{Subscription: a.Subscription, Topic: a.Topic, Partition: a.Partition, Offset: a.Offset})
		}
		c := &ev.Copies[ci]
		c.Attempts, c.Outcome = append(c.Attempts, a), a.Outcome
	}
	slices.Reverse(events)
	return events
}
