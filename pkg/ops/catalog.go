package ops

import (
	"context"

	"github.com/engagehub/engagehub/pkg/event"
)

// EventType is one entry of the catalog: its topic, schema subject and
// key, required fields and (in EventType's answer) the Avro schema and an
// example envelope.
type EventType struct {
	Type        event.Type `json:"type"`
	Description string     `json:"description"`
	Topic       string     `json:"topic"`
	Subject     string     `json:"subject"`
	Key         string     `json:"key"`
	Required    []string   `json:"required"`
	Schema      rawJSON    `json:"schema,omitempty"`
	Example     rawJSON    `json:"example,omitempty"`
}

// EventTypes lists the catalog, in catalog order, without schemas.
func (s *Service) EventTypes(_ context.Context) []EventType {
	specs := event.Catalog()
	out := make([]EventType, 0, len(specs))
	for _, spec := range specs {
		out = append(out, s.eventType(spec, false))
	}
	return out
}

// EventType returns type t with its Avro schema and an example envelope.
func (s *Service) EventType(_ context.Context, t string) (EventType, error) {
	spec, ok := event.Lookup(event.Type(t))
	if !ok {
		return EventType{}, &NotFound{What: "event type", ID: t}
	}
	return s.eventType(spec, true), nil
}

func (s *Service) eventType(spec event.Spec, detail bool) EventType {
	topic := event.Topic(s.d.TopicPrefix, spec.Type)
	out := EventType{Type: spec.Type, Description: spec.Description, Topic: topic, Subject: topic + "-value",
		Key: "payload.contactId (UTF-8)", Required: spec.Required}
	if detail && s.d.Schemas != nil {
		out.Schema = rawJSON(s.d.Schemas.Text(spec.Type))
	}
	if detail {
		out.Example = rawJSON(spec.Example)
	}
	return out
}
