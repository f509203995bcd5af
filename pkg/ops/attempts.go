package ops

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery"
)

// Attempt is one delivery attempt: what was sent (headers, the signature
// redacted), what came back (status, latency, a bounded excerpt of the
// response body), and when it is tried again.
type Attempt = delivery.Attempt

// Outcomes an attempt can have (Attempt.Outcome), and the filter value
// "failed" for every attempt that did not deliver.
const (
	OutcomeDelivered  = "delivered"
	OutcomeRetry      = "retry"
	OutcomeDeadLetter = "dead_letter"
	OutcomeFailed     = "failed"
)

// MaxLimit caps a page of attempts or dead letters; DefaultLimit is a
// page's size when none is asked for.
const (
	MaxLimit     = 1000
	DefaultLimit = 100
)

// AttemptQuery selects attempts. Zero fields do not filter.
type AttemptQuery struct {
	// Subscription is required by Attempts; Trace queries across all.
	Subscription string
	// Outcome is one of the Outcome* constants.
	Outcome   string
	EventType string
	ContactID string
	EventID   string
	// Since and Until bound the attempt time: Since ≤ at < Until.
	Since, Until time.Time
	// Limit is the page size, 1..MaxLimit; 0 means DefaultLimit.
	Limit int
	// Cursor continues a previous page (its Next); "" starts at the newest.
	Cursor string
}

// AttemptPage is one page of attempts, newest first. Next, when not "",
// is the Cursor of the following (older) page.
type AttemptPage struct {
	Attempts []Attempt `json:"attempts"`
	Next     string    `json:"next,omitempty"`
}

// AttemptSource answers attempt queries; the attempt index is one.
// Cancelling ctx abandons the query; errors are Kafka's (retriable).
type AttemptSource interface {
	Attempts(ctx context.Context, q AttemptQuery) (AttemptPage, error)
}

// Attempts returns a page of subscription q.Subscription's attempts.
func (s *Service) Attempts(ctx context.Context, q AttemptQuery) (AttemptPage, error) {
	if _, err := s.Subscription(ctx, q.Subscription); err != nil {
		return AttemptPage{}, err
	}
	if err := q.check(); err != nil {
		return AttemptPage{}, err
	}
	if s.d.Attempts == nil {
		return AttemptPage{}, missing("attempts", "admin")
	}
	page, err := s.d.Attempts.Attempts(ctx, q.withDefaults())
	if err != nil {
		return AttemptPage{}, deliveryError(q.Subscription, err)
	}
	if page.Attempts == nil {
		page.Attempts = []Attempt{}
	}
	return page, nil
}

// check refuses a query whose fields are out of range.
func (q AttemptQuery) check() error {
	switch q.Outcome {
	case "", OutcomeDelivered, OutcomeRetry, OutcomeDeadLetter, OutcomeFailed:
	default:
		return &Invalid{Field: "outcome", Message: "must be one of delivered, retry, dead_letter, failed; got " + strconv.Quote(q.Outcome), Code: "invalid_outcome"}
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return &Invalid{Field: "since", Message: "must be before until", Code: "invalid_time_range"}
	}
	return CheckLimit(q.Limit)
}

// CheckLimit refuses a page size outside 0..MaxLimit (0: the default).
func CheckLimit(n int) error {
	if n < 0 || n > MaxLimit {
		return &Malformed{Field: "limit", Message: "must be an integer in [1, 1000]", Code: "invalid_limit"}
	}
	return nil
}

func (q AttemptQuery) withDefaults() AttemptQuery {
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	return q
}

// Matches reports whether a passes q's filters (not its cursor or limit).
func (q AttemptQuery) Matches(a Attempt) bool {
	switch {
	case q.Subscription != "" && a.Subscription != q.Subscription,
		q.EventType != "" && a.EventType != q.EventType,
		q.ContactID != "" && a.ContactID != q.ContactID,
		q.EventID != "" && a.EventID != q.EventID,
		!q.Since.IsZero() && a.At.Before(q.Since),
		!q.Until.IsZero() && !a.At.Before(q.Until):
		return false
	}
	return OutcomeMatches(q.Outcome, a.Outcome)
}

// OutcomeMatches reports whether an attempt's outcome passes the filter
// want ("" passes all; "failed" all but delivered).
func OutcomeMatches(want, outcome string) bool {
	switch want {
	case "":
		return true
	case OutcomeFailed:
		return outcome != OutcomeDelivered
	}
	return want == outcome
}

// deliveryError maps an error of package delivery's operations.
func deliveryError(id string, err error) error {
	var o interface{ opsError() }
	switch {
	case err == nil:
		return nil
	case errors.As(err, &o):
		return err
	case errors.Is(err, delivery.ErrUnknownSubscription):
		return &NotFound{What: "webhook subscription", ID: id}
	case errors.Is(err, delivery.ErrNoSecret):
		return &Invalid{Field: "secrets", Message: err.Error(), Code: "no_secret"}
	case errors.Is(err, context.Canceled):
		return &Unavailable{Code: "canceled", Message: "request canceled", Err: err}
	}
	return kafkaDown(err)
}
