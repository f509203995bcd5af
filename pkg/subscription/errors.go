package subscription

import (
	"errors"
	"strings"
)

// Sentinels, wrapped with the subscription id. The admin API maps them to
// HTTP statuses: ErrNotFound 404, ErrExists 409, ErrMalformed 400.
var (
	ErrNotFound  = errors.New("subscription: not found")
	ErrExists    = errors.New("subscription: already exists")
	ErrMalformed = errors.New("subscription: malformed JSON")
)

// FieldError names one invalid field by its JSON path
// ("destination.url", "eventTypes[2]") and says what is wrong.
type FieldError struct {
	Field  string
	Reason string
}

// Error returns "field: reason".
func (e FieldError) Error() string { return e.Field + ": " + e.Reason }

// ValidationError lists every problem found in a subscription. The admin
// API answers it with 422 and its Error text.
type ValidationError struct {
	Problems []FieldError
}

// Error joins the problems: "destination.url: must be ...; rateLimit: ...".
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return strings.Join(parts, "; ")
}

// problems accumulates field errors.
type problems []FieldError

func (p *problems) add(field, reason string) {
	*p = append(*p, FieldError{Field: field, Reason: reason})
}

// has reports whether field has a problem.
func (p problems) has(field string) bool {
	for _, f := range p {
		if f.Field == field {
			return true
		}
	}
	return false
}

// err returns nil or a *ValidationError.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: p}
}

// IsValidation reports whether err is (or wraps) a *ValidationError.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}
