package producer

import (
	"context"
	"fmt"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
)

// FromJSON parses and validates one envelope (Engage's JSON shape) and
// returns its Event, from source, received at now. Errors wrap
// event.ErrMalformed (not JSON) or are an *event.FieldError naming the field.
func FromJSON(raw []byte, source string, now time.Time) (event.Event, error) {
	env, err := event.Parse(raw)
	if err != nil {
		return event.Event{}, fmt.Errorf("producer: parse: %w", err)
	}
	ev, err := event.New(env, source, now)
	if err != nil {
		return event.Event{}, fmt.Errorf("producer: validate: %w", err)
	}
	return ev, nil
}

// PublishJSON validates every envelope first — nothing is written when one
// is invalid — then publishes them all in one call, as Publish does.
func (p *Producer) PublishJSON(ctx context.Context, source string, envelopes ...[]byte) error {
	events := make([]event.Event, len(envelopes))
	now := p.now()
	for i, raw := range envelopes {
		ev, err := FromJSON(raw, source, now)
		if err != nil {
			return fmt.Errorf("producer: envelope %d: %w", i, err)
		}
		events[i] = ev
	}
	return p.Publish(ctx, events...)
}
