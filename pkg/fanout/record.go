package fanout

import (
	"context"
	"time"
	"unsafe"

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
	// fields is what the record's subscriptions need decoded, reused
	// from record to record: only filters read the payload, and they are
	// done with it before the next reset.
	fields  schema.Fields
	raw     []byte // the original envelope, when decoded
	err     error
	decoded bool
	rawOnly bool // raw came from ahead without the payload
}

// reset makes r the record of m. It clears only the flags: what they
// guard (the filter event, the decoded event, the payload view) is
// written before it is read, and zeroing the whole record per record was
// a measurable share of deciding filters.
func (r *record) reset(ctx context.Context, dec Decoder, m *kafka.Message, typ event.Type, proj schema.Projection) {
	r.ctx, r.dec, r.m, r.typ, r.proj = ctx, dec, m, typ, proj
	r.fevSet, r.decoded, r.rawOnly = false, false, false
}

// use takes what the fetching goroutine decoded of the record (Raw, for
// json copies: its filters are decided), when it decoded what the
// record's subscriptions need now, and returns its filter verdicts.
func (r *record) use(a aheadRecord) []verdict {
	if d := a.decoded; d != nil && d.key == r.proj.Key() {
		r.raw, r.err, r.decoded, r.rawOnly = d.raw, d.err, true, true
	}
	return a.verdicts
}

// decode decodes, once, what the record's subscriptions need of it, and
// returns the original envelope (when they need it) or why it cannot be
// decoded.
func (r *record) decode() ([]byte, error) {
	if !r.decoded {
		r.decoded = true
		if r.dec == nil {
			r.raw, r.err = nil, errNoDecoder
		} else {
			r.err = r.dec.Project(r.ctx, r.m.Value, r.proj, &r.fields)
			r.raw = r.fields.Raw()
		}
	}
	return r.raw, r.err
}

// filterEvent is the record as filters see it.
func (r *record) filterEvent() *filter.Event {
	if !r.fevSet {
		r.fevSet = true
		r.fev.Reset(r.typ, view(r.m.Key), r)
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
	if r.rawOnly { // the verdicts came with it; a filter asking anyway gets the payload
		r.decoded, r.rawOnly = false, false
	}
	raw, err := r.decode()
	if err != nil {
		return nil, err
	}
	r.payload.ResetFields(r.typ, &r.fields, raw)
	return &r.payload, nil
}

func (r *record) header(name string) string { return string(r.headerValue(name)) }

func (r *record) headerValue(name string) []byte {
	for _, h := range r.m.Headers {
		if h.Key == name {
			return h.Value
		}
	}
	return nil
}

// view is b as a string without copying it, for the filter variables
// read from a record: a fetched record's bytes are never written to, and
// an evaluation is over before the record is released.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Source implements filter.Loader: the source header.
func (r *record) Source() string { return view(r.headerValue(headerSource)) }

// ReceivedAt implements filter.Loader: the received-at header, or the
// record's time.
func (r *record) ReceivedAt() time.Time {
	if t, err := time.Parse(time.RFC3339Nano, r.header(headerReceivedAt)); err == nil {
		return t
	}
	return r.m.Time
}
