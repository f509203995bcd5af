package fanout

import (
	"context"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/filter"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
)

// Header names of the event records that filters read.
const (
	headerSource     = "source"
	headerReceivedAt = "received-at"
)

// record is the event of one record as the subscriptions that want it
// see it: filters read its headers and key for free, and the decoded
// event (for a filter reading payload, or a json copy) is decoded at most
// once, whatever the number of subscriptions. One record is reused from
// event to event by the writing goroutine.
type record struct {
	ctx  context.Context // the batch's: decoding may ask the registry
	dec  Decoder
	m    *kafka.Message
	typ  event.Type
	proj schema.Projection // what the subscriptions wanting typ need decoded

	fev     filter.Event
	fevSet  bool
	payload filter.Payload // what Payload hands out, reused
	ev      event.Event
	err     error
	decoded bool
}

func (r *record) reset(ctx context.Context, dec Decoder, m *kafka.Message, typ event.Type, proj schema.Projection) {
	*r = record{ctx: ctx, dec: dec, m: m, typ: typ, proj: proj}
}

// use takes what the fetching goroutine decoded of the record, when it
// decoded what the record's subscriptions need now, and returns its filter
// verdicts.
func (r *record) use(a aheadRecord) []verdict {
	if a.key != "" && a.key == r.proj.Key() {
		r.ev, r.err, r.decoded = a.ev, a.err, true
		r.ev.Type = r.typ
	}
	return a.verdicts
}

// event decodes, once, what the record's subscriptions need of it.
func (r *record) event() (event.Event, error) {
	if !r.decoded {
		r.decoded = true
		if r.dec == nil {
			r.err = errNoDecoder
		} else {
			r.ev, r.err = r.dec.Project(r.ctx, r.m.Value, r.proj)
			r.ev.Type = r.typ
		}
	}
	return r.ev, r.err
}

// filterEvent is the record as filters see it.
func (r *record) filterEvent() *filter.Event {
	if !r.fevSet {
		r.fevSet = true
		r.fev.Reset(r.typ, string(r.m.Key), r.header(headerSource), r)
	}
	return &r.fev
}

// Headers implements filter.Loader.
func (r *record) Headers() map[string]string {
	out := make(map[string]string, len(r.m.Headers))
	for _, h := range r.m.Headers {
		out[h.Key] = string(h.Value)
	}
	return out
}

// Payload implements filter.Loader. The payload is valid until the next
// reset: evaluations end before it.
func (r *record) Payload() (*filter.Payload, error) {
	ev, err := r.event()
	if err != nil {
		return nil, err
	}
	r.payload.Reset(ev)
	return &r.payload, nil
}

func (r *record) header(name string) string {
	for _, h := range r.m.Headers {
		if h.Key == name {
			return string(h.Value)
		}
	}
	return ""
}

// ReceivedAt implements filter.Loader: the received-at header, or the
// record's time.
func (r *record) ReceivedAt() time.Time {
	if t, err := time.Parse(time.RFC3339Nano, r.header(headerReceivedAt)); err == nil {
		return t
	}
	return r.m.Time
}
