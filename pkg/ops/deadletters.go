package ops

import (
	"context"
	"slices"
	"strconv"

	"github.com/engagehub/engagehub/pkg/delivery"
)

// DeadLetter is one dead-lettered event with why it was given up on;
// Redriven says it was put back for delivery since.
type DeadLetter = delivery.DeadLetterView

// DeadLetterQuery selects a subscription's dead letters.
type DeadLetterQuery struct {
	Subscription string
	// Limit is the page size, 1..MaxLimit; 0 means DefaultLimit.
	Limit int
}

// DeadLetterPage lists dead letters, newest first.
type DeadLetterPage struct {
	DeadLetters []DeadLetter `json:"deadLetters"`
}

// DeadLetters lists the newest q.Limit dead letters of q.Subscription.
func (s *Service) DeadLetters(ctx context.Context, q DeadLetterQuery) (DeadLetterPage, error) {
	if err := CheckLimit(q.Limit); err != nil {
		return DeadLetterPage{}, err
	}
	if s.d.DeadLetters == nil {
		return DeadLetterPage{}, missing("dead letters", "admin")
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	out, err := s.d.DeadLetters.DeadLetters(ctx, q.Subscription, q.Limit)
	if err != nil {
		return DeadLetterPage{}, deliveryError(q.Subscription, err)
	}
	slices.Reverse(out)
	return DeadLetterPage{DeadLetters: out}, nil
}

// RedriveRequest says which dead letters to redeliver: the events EventIDs
// names, or, with All, every one not redriven before.
type RedriveRequest struct {
	EventIDs []string `json:"eventIds,omitempty"`
	All      bool     `json:"all,omitempty"`
}

// RedriveResult says how many dead letters were put back for delivery.
type RedriveResult struct {
	Redriven int `json:"redriven"`
}

// Redrive puts dead letters of subscription id back on its delivery topic
// with their attempts reset.
func (s *Service) Redrive(ctx context.Context, id string, r RedriveRequest) (RedriveResult, error) {
	if err := r.check(); err != nil {
		return RedriveResult{}, err
	}
	if s.d.DeadLetters == nil {
		return RedriveResult{}, missing("redrive", "admin")
	}
	ids := r.EventIDs
	if r.All {
		ids = nil
	}
	n, err := s.d.DeadLetters.Redrive(ctx, id, ids)
	return RedriveResult{Redriven: n}, deliveryError(id, err)
}

func (r RedriveRequest) check() error {
	if r.All && len(r.EventIDs) > 0 {
		return &Invalid{Field: "eventIds", Message: "give event ids or all, not both", Code: "invalid_request"}
	}
	if !r.All && len(r.EventIDs) == 0 {
		return &Invalid{Field: "eventIds", Message: "name the events to redrive, or set all", Code: "invalid_request"}
	}
	for i, id := range r.EventIDs {
		if id == "" {
			return &Invalid{Field: "eventIds[" + strconv.Itoa(i) + "]", Message: "must not be empty", Code: "invalid_event_id"}
		}
	}
	return nil
}

// PingResult is what a test event produced at the receiver.
type PingResult = delivery.PingResult

// TestEvent sends a signed engagehub.ping to subscription id's endpoint
// now and reports the receiver's status, outcome and latency (a failing
// receiver is a result, not an error).
func (s *Service) TestEvent(ctx context.Context, id string) (PingResult, error) {
	if s.d.Pinger == nil {
		return PingResult{}, missing("test events", "admin")
	}
	res, err := s.d.Pinger.Ping(ctx, id)
	return res, deliveryError(id, err)
}
