package admin

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/httpapi"
)

// SchemaTexts returns the Avro schema JSON of an event type.
type SchemaTexts interface {
	Text(t event.Type) string
}

// EventTypeInfo is one entry of the catalog as GET /v1/event-types shows it.
type EventTypeInfo struct {
	Type        event.Type      `json:"type"`
	Description string          `json:"description"`
	Topic       string          `json:"topic"`
	Subject     string          `json:"subject"`
	Key         string          `json:"key"`
	Required    []string        `json:"required"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
}

// EventTypes serves the catalog: which types exist, their topic, Avro
// schema and an example envelope.
type EventTypes struct {
	prefix  string
	schemas SchemaTexts
}

// NewEventTypes returns the catalog handlers for topics under prefix.
func NewEventTypes(topicPrefix string, schemas SchemaTexts) *EventTypes {
	return &EventTypes{prefix: topicPrefix, schemas: schemas}
}

// Routes returns GET /v1/event-types and GET /v1/event-types/{type}.
func (e *EventTypes) Routes() []httpapi.Route {
	return []httpapi.Route{
		{Method: http.MethodGet, Path: "/v1/event-types", Tag: "catalog", Summary: "list the Engage event types, their topics and required fields", Handler: http.HandlerFunc(e.list)},
		{Method: http.MethodGet, Path: "/v1/event-types/{type}", Tag: "catalog", Summary: "one event type with its Avro schema and an example envelope", Handler: http.HandlerFunc(e.get)},
	}
}

func (e *EventTypes) list(w http.ResponseWriter, _ *http.Request) {
	specs := event.Catalog()
	out := make([]EventTypeInfo, 0, len(specs))
	for _, s := range specs {
		out = append(out, e.info(s, false))
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"eventTypes": out})
}

func (e *EventTypes) get(w http.ResponseWriter, r *http.Request) {
	spec, ok := event.Lookup(event.Type(r.PathValue("type")))
	if !ok {
		httpapi.WriteError(w, http.StatusNotFound, "not_found", "event type "+strconv.Quote(r.PathValue("type"))+" not found in the catalog (GET /v1/event-types lists them)")
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, e.info(spec, true))
}

func (e *EventTypes) info(s event.Spec, detail bool) EventTypeInfo {
	topic := event.Topic(e.prefix, s.Type)
	info := EventTypeInfo{
		Type: s.Type, Description: s.Description, Topic: topic, Subject: topic + "-value",
		Key: "payload.contactId (UTF-8)", Required: s.Required,
	}
	if detail {
		info.Schema = json.RawMessage(e.schemas.Text(s.Type))
		info.Example = json.RawMessage(s.Example)
	}
	return info
}
