package telemetry

import "go.opentelemetry.io/otel/attribute"

// Span attributes of engagehub's own, beside the semantic-convention ones
// (http.*, messaging.*, error.type) the spans also carry.
const (
	// AttrSubscription names the subscription of a fan-out copy or a
	// delivery attempt.
	AttrSubscription = attribute.Key("engagehub.subscription")
	// AttrAttempt is a delivery attempt's number, from 1 (the semantic
	// convention's http.request.resend_count is set too, from 1 on a retry).
	AttrAttempt = attribute.Key("engagehub.delivery.attempt")
	// AttrClass is the attempt's outcome class: "2xx", "429", "5xx",
	// "timeout", "connection", "4xx", ... (delivery.Outcome.Class).
	AttrClass = attribute.Key("engagehub.delivery.class")
	// AttrOutcome is what the attempt led to: "delivered", "retry",
	// "dead_letter", "disable".
	AttrOutcome = attribute.Key("engagehub.delivery.outcome")
	// AttrEventType is the event's type.
	AttrEventType = attribute.Key("engagehub.event.type")
)
