package registry

import (
	"fmt"
	"net/http"
)

// Error is a Confluent Schema Registry error: the HTTP status plus the
// registry's own error_code and message, as in the wire body
// {"error_code": 40401, "message": "..."}. Both the Client (decoding answers)
// and the built-in Registry (producing them) use it.
//
// errors.Is(err, ErrSubjectNotFound) matches any *Error with the same Code.
type Error struct {
	Status  int    `json:"-"`
	Code    int    `json:"error_code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("registry: %s (error code %d)", e.Message, e.Code)
}

// Is reports whether target is an *Error with the same Confluent error code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Confluent error codes used by this package.
const (
	CodeUnauthorized          = 401
	CodeSubjectNotFound       = 40401
	CodeVersionNotFound       = 40402
	CodeSchemaNotFound        = 40403
	CodeSubjectLevelNotFound  = 40408
	CodeIncompatibleSchema    = 409
	CodeInvalidSchema         = 42201
	CodeInvalidVersion        = 42202
	CodeInvalidCompatibility  = 42203
	CodeBackendStore          = 50001
	codeBadRequest            = 400
	codeNotFound              = 404
	codeUnprocessable         = 422
	maxValidVersion           = 1<<31 - 1
	compatibilityLevelMessage = "Invalid compatibility level. Valid values are none, backward, forward, full, " +
		"backward_transitive, forward_transitive, and full_transitive"
)

// Sentinels for errors.Is; the errors actually returned carry specific messages.
var (
	ErrUnauthorized         = &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: "Unauthorized"}
	ErrSubjectNotFound      = &Error{Status: http.StatusNotFound, Code: CodeSubjectNotFound, Message: "Subject not found."}
	ErrVersionNotFound      = &Error{Status: http.StatusNotFound, Code: CodeVersionNotFound, Message: "Version not found."}
	ErrSchemaNotFound       = &Error{Status: http.StatusNotFound, Code: CodeSchemaNotFound, Message: "Schema not found"}
	ErrSubjectLevelNotFound = &Error{Status: http.StatusNotFound, Code: CodeSubjectLevelNotFound, Message: "Subject level config not found."}
	ErrIncompatibleSchema   = &Error{Status: http.StatusConflict, Code: CodeIncompatibleSchema, Message: "Schema is incompatible."}
	ErrInvalidSchema        = &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidSchema, Message: "Invalid schema"}
	ErrInvalidVersion       = &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidVersion, Message: "Invalid version"}
	ErrInvalidCompatibility = &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidCompatibility, Message: compatibilityLevelMessage}
	ErrBackendStore         = &Error{Status: http.StatusInternalServerError, Code: CodeBackendStore, Message: "Error in the backend data store"}
)

func newError(status, code int, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errSubjectNotFound(subject string) *Error {
	return newError(http.StatusNotFound, CodeSubjectNotFound, "Subject '%s' not found.", subject)
}

func errVersionNotFound(subject string, version int) *Error {
	return newError(http.StatusNotFound, CodeVersionNotFound, "Version %d not found for subject '%s'.", version, subject)
}

func errSchemaNotFound(format string, args ...any) *Error {
	return newError(http.StatusNotFound, CodeSchemaNotFound, format, args...)
}

func errInvalidSchema(format string, args ...any) *Error {
	return newError(http.StatusUnprocessableEntity, CodeInvalidSchema, format, args...)
}

func errSubjectLevelNotFound(subject string) *Error {
	return newError(http.StatusNotFound, CodeSubjectLevelNotFound,
		"Subject '%s' does not have subject-level compatibility configured", subject)
}
