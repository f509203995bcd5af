package fanout

import (
	"context"
	"strings"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// copies returns the copies of batch for the subscriptions of snap, in
// batch order, counting in each target what it got. A subscription's
// filter may skip an event; an event that must be decoded for a
// subscription (its filter reads the payload, or it wants JSON) and
// cannot be is dead-lettered for it, in place of the copy. The copies and
// their headers come from f.buf. An error (a decoder that may succeed on
// retry) fails the whole batch.
func (f *Fanout) copies(ctx context.Context, snap *subscription.Snapshot, batch []kafka.Message, types []event.Type, a *ahead) ([]kafka.Message, error) {
	f.targets.resetCounts()
	if a != nil && a.version != snap.Version() {
		a = nil // decided under another snapshot
	}
	out := f.buf.msgs[:0]
	for i := range batch {
		m, typ := &batch[i], types[i]
		tgs, proj := f.targets.match(snap, typ)
		f.rec.reset(ctx, f.deps.Decoder, m, typ, proj)
		var verdicts []verdict
		if a != nil {
			verdicts = f.rec.use(a.recs[i])
		}
		for j, tg := range tgs {
			c, ok, err := f.copyFor(tg, &f.rec, verdictAt(verdicts, j))
			if err != nil {
				f.buf.msgs = out
				return nil, err
			}
			if ok {
				out = append(out, c)
			}
		}
	}
	f.buf.msgs = out
	return out, nil
}

// verdictAt is the decision made ahead for the j-th target, if any.
func verdictAt(vs []verdict, j int) verdict {
	if j < len(vs) {
		return vs[j]
	}
	return undecided
}

// eventType reads the event-type header, falling back to the topic name.
func (f *Fanout) eventType(m *kafka.Message) event.Type {
	return eventTypeOf(m, f.types, f.deps.EventPrefix, f.unrecognized)
}

func eventTypeOf(m *kafka.Message, types map[string]event.Type, prefix, unrecognized string) event.Type {
	for _, h := range m.Headers {
		if h.Key == event.HeaderEventType {
			if t, ok := types[string(h.Value)]; ok {
				return t // no copy of the header for a catalog type
			}
			return event.Type(h.Value)
		}
	}
	if m.Topic == unrecognized {
		return ""
	}
	return event.Type(strings.TrimPrefix(m.Topic, prefix))
}

// copyFor makes what rec's record becomes for tg's subscription: nothing
// (ok false) when its filter says no; else the copy — same key, same
// value (or the envelope JSON for a json Kafka destination), to its
// destination topic, with the record's headers plus the subscription
// header — or its dead letter when it needed decoding and cannot be.
func (f *Fanout) copyFor(tg *target, rec *record, ahead verdict) (kafka.Message, bool, error) {
	m := rec.m
	if tg.filter != nil {
		v, err := ahead, error(nil)
		if v == undecided {
			v, err = tg.filter.decide(rec)
		}
		switch {
		case err != nil:
			return kafka.Message{}, false, err
		case v == deadLetter:
			_, derr := rec.decode()
			return f.deadLetterFor(tg, m, "decode", derr), true, nil
		case v != pass:
			tg.skip(v)
			return kafka.Message{}, false, nil
		}
	}
	value, err := f.value(tg, rec)
	switch {
	case err != nil && !undecodable(err):
		return kafka.Message{}, false, err
	case err != nil:
		return f.deadLetterFor(tg, m, "decode", err), true, nil
	}
	headers := f.buf.headers(len(m.Headers) + 1)
	copy(headers, m.Headers)
	headers[len(m.Headers)] = tg.header
	headers = f.traceCopy(rec, tg, headers)
	tg.n++
	return kafka.Message{Key: m.Key, Value: value, Headers: headers, Topic: tg.topic}, true, nil
}

// value is the copy's value: the record's, or for a json Kafka
// destination the event's original envelope JSON.
func (f *Fanout) value(tg *target, rec *record) ([]byte, error) {
	d := tg.sub.Destination
	if d.IsWebhook() || d.Format != subscription.FormatJSON || rec.m.Topic == f.unrecognized {
		return rec.m.Value, nil // Avro as is; unrecognized events are already raw JSON
	}
	return rec.decode()
}
