package event

import "errors"

// ErrMalformed is returned, wrapped, by Parse when the input is not a JSON
// object. HTTP callers answer 400.
var ErrMalformed = errors.New("event: malformed envelope")

// FieldError reports a missing or wrongly typed field. HTTP callers answer
// 422 and show Error(), which names the field.
type FieldError struct {
	// Field is the JSON path of the field, with canonical names:
	// "eventType", "payload.contactId", "payload.redemptionChannels[0].type".
	Field string
	// Reason says what is wrong: "required", "must be a boolean", ...
	Reason string
}

// Error implements error.
func (e *FieldError) Error() string {
	return "event: " + e.Field + ": " + e.Reason
}

func fieldErr(path, reason string) *FieldError {
	return &FieldError{Field: path, Reason: reason}
}
