package admin

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
)

// EventTypeInfo is one entry of the catalog as GET /v1/event-types shows it.
type EventTypeInfo = ops.EventType

// EventTypes serves the catalog: which types exist, their topic, Avro
// schema and an example envelope.
type EventTypes struct {
	svc *ops.Service
}

// NewEventTypes returns the catalog handlers.
func NewEventTypes(svc *ops.Service) *EventTypes {
	return &EventTypes{svc: svc}
}

// EventTypeList is the body of GET /v1/event-types.
type EventTypeList struct {
	EventTypes []EventTypeInfo `json:"eventTypes"`
}

// Routes returns GET /v1/event-types and GET /v1/event-types/{type}.
func (e *EventTypes) Routes() []httpapi.Route {
	return []httpapi.Route{
		{Method: http.MethodGet, Path: "/v1/event-types", Tag: "catalog", Summary: "list the Engage event types, their topics and required fields", Handler: http.HandlerFunc(e.list)},
		{Method: http.MethodGet, Path: "/v1/event-types/{type}", Tag: "catalog", Summary: "one event type with its Avro schema and an example envelope", Handler: http.HandlerFunc(e.get)},
	}
}

func (e *EventTypes) list(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, EventTypeList{EventTypes: e.svc.EventTypes(r.Context())})
}

func (e *EventTypes) get(w http.ResponseWriter, r *http.Request) {
	t, err := e.svc.EventType(r.Context(), r.PathValue("type"))
	answer(w, zap.NewNop(), http.StatusOK, t, err)
}
