package ops

import (
	"errors"
	"strconv"
	"time"
)

// NotFound: the thing named does not exist (HTTP 404).
type NotFound struct {
	What string // "subscription", "event type", "replay"
	ID   string
}

// Error returns `subscription "x" not found`.
func (e *NotFound) Error() string { return e.What + " " + strconv.Quote(e.ID) + " not found" }

// Malformed: the request cannot be read (HTTP 400): broken JSON, a query
// parameter out of range.
type Malformed struct {
	Field   string // "body", "limit"
	Message string // what is wrong, without the field
	Code    string // stable error code; default "malformed_request"
}

// Error returns "field: message".
func (e *Malformed) Error() string { return fieldMessage(e.Field, e.Message) }

// Invalid: the request reads but a field's value is refused (HTTP 422).
type Invalid struct {
	Field   string // JSON path, "destination.url", "eventIds[2]"; "" when several
	Message string
	Code    string // stable error code; default "invalid_request"
}

// Error returns "field: message".
func (e *Invalid) Error() string { return fieldMessage(e.Field, e.Message) }

// Conflict: the request clashes with what exists (HTTP 409).
type Conflict struct {
	Code    string
	Message string
}

// Error returns the message.
func (e *Conflict) Error() string { return e.Message }

// TooLarge: the request is over a size limit (HTTP 413).
type TooLarge struct {
	Code    string
	Message string
}

// Error returns the message.
func (e *TooLarge) Error() string { return e.Message }

// Unavailable: Kafka, the store or a role this process does not run is
// not there now (HTTP 503); retrying after RetryAfter may succeed.
type Unavailable struct {
	Code       string
	Message    string
	RetryAfter time.Duration
	Err        error // the cause, for logs; never shown
}

// Error returns the message and the cause.
func (e *Unavailable) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Unavailable) Unwrap() error { return e.Err }

func fieldMessage(field, msg string) string {
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// kafkaDown wraps a Kafka failure.
func kafkaDown(err error) error {
	return &Unavailable{Code: "kafka_unavailable", Message: "reading Kafka failed; retry", RetryAfter: 5 * time.Second, Err: err}
}

// IsNotFound reports whether err is a *NotFound.
func IsNotFound(err error) bool {
	var nf *NotFound
	return errors.As(err, &nf)
}

// opsError marks this package's error types: deliveryError passes them on.
func (*NotFound) opsError()    {}
func (*Malformed) opsError()   {}
func (*Invalid) opsError()     {}
func (*Conflict) opsError()    {}
func (*TooLarge) opsError()    {}
func (*Unavailable) opsError() {}
