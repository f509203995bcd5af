package fanout

import (
	"context"
	"errors"
	"fmt"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/filter"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// RecordFilter applies one subscription's filter to event records read
// outside fan-out — a replay from the event topics — exactly as fan-out
// does: same variables, same decoding, same verdicts. It is not safe for
// concurrent use.
type RecordFilter struct {
	c            *compiled
	dec          Decoder
	proj         schema.Projection
	types        map[string]event.Type
	prefix       string
	unrecognized string
	rec          record
}

// NewRecordFilter returns sub's filter over records of the event topics
// under eventPrefix (kafka.topic_prefix); nil when sub has no filter. A
// filter that does not compile is an error.
func NewRecordFilter(sub subscription.Subscription, dec Decoder, eventPrefix string) (*RecordFilter, error) {
	if sub.Filter == "" {
		return nil, nil
	}
	prg, err := filter.Compile(sub.Filter, sub.EventTypes)
	if err != nil {
		return nil, fmt.Errorf("fanout: filter of %s: %w", sub.ID, err)
	}
	c := &compiled{expr: sub.Filter, types: sub.EventTypes, prg: prg}
	return &RecordFilter{c: c, dec: dec, proj: projection([]*subscription.Subscription{&sub}, []*compiled{c}),
		types: catalogTypes(), prefix: eventPrefix, unrecognized: event.UnrecognizedTopic(eventPrefix)}, nil
}

// Keep reports whether fan-out would copy m to the subscription. An event
// that cannot be decoded is not kept, with an error wrapping
// ErrUndecodable (fan-out dead-letters it); any other error may pass on
// retry.
func (r *RecordFilter) Keep(ctx context.Context, m kafka.Message) (bool, error) {
	r.rec.reset(ctx, r.dec, &m, eventTypeOf(&m, r.types, r.prefix, r.unrecognized), r.proj)
	v, err := r.c.decide(&r.rec)
	switch {
	case err != nil:
		return false, err
	case v == deadLetter:
		_, derr := r.rec.decode()
		if !errors.Is(derr, ErrUndecodable) {
			derr = fmt.Errorf("%w: %w", ErrUndecodable, derr)
		}
		return false, derr
	}
	return v == pass, nil
}
