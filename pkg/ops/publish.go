package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/producer"
)

// PublishedEvent is one accepted event and the topic it went to.
type PublishedEvent struct {
	EventID   string     `json:"eventId"`
	EventType event.Type `json:"eventType"`
	Topic     string     `json:"topic"`
}

// PublishResult lists the events a publish wrote.
type PublishResult struct {
	Events []PublishedEvent `json:"events"`
}

// PublishError is a refusal of a Publisher: the HTTP status POST
// /v1/events answers for the same body, a stable code and a message
// naming the field, and for 503 the seconds to wait.
type PublishError struct {
	Status     int
	Code       string
	Message    string
	RetryAfter int
}

// Error returns the message.
func (e *PublishError) Error() string { return e.Message }

// Publisher validates, encodes and writes (acks=all) one envelope or a
// JSON array of them as POST /v1/events does; the ingest role is one.
// It returns once Kafka acknowledged every record. Refusals are
// *PublishError; 503 ones are retriable.
type Publisher interface {
	Publish(ctx context.Context, body []byte, source string) ([]PublishedEvent, error)
}

// Publish publishes body (an envelope, or a JSON array of them) as
// produced by source (default "api").
func (s *Service) Publish(ctx context.Context, body []byte, source string) (PublishResult, error) {
	if s.d.Publisher == nil {
		return PublishResult{}, missing("publishing events", "ingest")
	}
	evs, err := s.d.Publisher.Publish(ctx, body, source)
	if err != nil {
		return PublishResult{}, publishError(err)
	}
	return PublishResult{Events: evs}, nil
}

// PublishSample publishes the catalog example of type t with a fresh event
// id, as source (default "console").
func (s *Service) PublishSample(ctx context.Context, t event.Type, source string) (PublishResult, error) {
	samples, err := producer.Samples(t, 1)
	if err != nil {
		return PublishResult{}, &NotFound{What: "event type", ID: string(t)}
	}
	if source == "" {
		source = "console"
	}
	return s.Publish(ctx, samples[0], source)
}

func publishError(err error) error {
	pe, ok := err.(*PublishError)
	if !ok {
		return &Unavailable{Code: "kafka_unavailable", Message: "publishing failed; retry", RetryAfter: 5 * time.Second, Err: err}
	}
	switch pe.Status {
	case http.StatusBadRequest:
		return &Malformed{Field: "body", Message: pe.Message, Code: pe.Code}
	case http.StatusRequestEntityTooLarge:
		return &TooLarge{Code: pe.Code, Message: pe.Message}
	case http.StatusServiceUnavailable:
		return &Unavailable{Code: pe.Code, Message: pe.Message, RetryAfter: time.Duration(pe.RetryAfter) * time.Second}
	}
	return &Invalid{Message: pe.Message, Code: pe.Code}
}

// rawJSON is a JSON value kept as is.
type rawJSON = json.RawMessage
