package delivery

import (
	"strings"
	"time"
)

// HeaderDeliveryControl is the response header with which a receiver
// steers its deliveries (Svix's convention).
const HeaderDeliveryControl = "webhook-delivery"

// Values of HeaderDeliveryControl.
const (
	// ControlAbortMessage: stop retrying this message; it is dead-lettered
	// with class "aborted".
	ControlAbortMessage = "abort-message"
	// ControlDisable: disable the subscription (an operational event says
	// so). The message is left unsettled: it is delivered again if the
	// subscription is enabled again.
	ControlDisable = "disable"
)

// ClassifyResult is Classify of one attempt's result, then the receiver's
// delivery control: a message that was not delivered and whose response
// says abort-message is dead-lettered ("aborted") instead of retried, and
// any response saying disable disables the subscription ("disabled").
// Unknown control values are ignored.
func ClassifyResult(res Result, now time.Time) Outcome {
	out := Classify(res.Status, res.RetryAfter, res.Err, now)
	if res.Err != nil {
		return out
	}
	switch strings.ToLower(strings.TrimSpace(res.Control)) {
	case ControlDisable:
		return Outcome{Kind: Disable, Class: "disabled"}
	case ControlAbortMessage:
		if out.Kind != Delivered {
			return Outcome{Kind: DeadLetter, Class: "aborted"}
		}
	}
	return out
}

// disableReason says why an outcome of kind Disable disables the subscription.
func disableReason(out Outcome) string {
	if out.Class == "disabled" {
		return "receiver answered " + HeaderDeliveryControl + ": " + ControlDisable
	}
	return "receiver answered 410 Gone"
}
