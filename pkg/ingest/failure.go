package ingest

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/httpapi"
)

// Outcomes label engagehub_ingest_requests_total.
const (
	outcomeAccepted     = "accepted"
	outcomeUnrecognized = "unrecognized"
	outcomeDuplicate    = "duplicate"
	outcomeMalformed    = "malformed"
	outcomeUnauthorized = "unauthorized"
	outcomeTooLarge     = "too_large"
	outcomeMediaType    = "unsupported_media_type"
	outcomeInvalid      = "invalid"
	outcomeUnavailable  = "unavailable"
	outcomeError        = "error"
)

// failure is a request's answer when it is not accepted.
type failure struct {
	status     int
	code       string
	message    string
	outcome    string
	eventType  event.Type
	retryAfter int // seconds; 0 sends no Retry-After
}

func (f *failure) write(w http.ResponseWriter) {
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
	}
	httpapi.WriteError(w, f.status, f.code, f.message)
}

func malformed(prefix string, err error) *failure {
	return &failure{status: http.StatusBadRequest, code: "malformed", message: prefix + err.Error(), outcome: outcomeMalformed}
}

// parseFailure answers a Parse or New error: 422 naming the field for a
// *event.FieldError (prefixed, e.g. "[3]."), 400 for anything else.
func parseFailure(prefix string, err error) *failure {
	var fe *event.FieldError
	if errors.As(err, &fe) {
		return &failure{status: http.StatusUnprocessableEntity, code: "invalid_field",
			message: prefix + fe.Field + ": " + fe.Reason, outcome: outcomeInvalid}
	}
	return malformed(prefix, err)
}

func invalid(message string) *failure {
	return &failure{status: http.StatusUnprocessableEntity, code: "invalid_field", message: message, outcome: outcomeInvalid}
}

func unavailable(code, message string, retryAfter int) *failure {
	return &failure{status: http.StatusServiceUnavailable, code: code, message: message,
		outcome: outcomeUnavailable, retryAfter: retryAfter}
}
