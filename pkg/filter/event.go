package filter

import (
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/engagehub/engagehub/pkg/event"
)

// Loader supplies the parts of an event that cost something to build. Event
// calls each at most once, and only when an expression reads it.
type Loader interface {
	// ReceivedAt returns when ingest received the event.
	ReceivedAt() time.Time
	// Source returns the event's source ("engage" or the internal
	// producer's name).
	Source() string
	// Headers returns the event record's headers by name.
	Headers() map[string]string
	// Payload decodes the event's payload. An error makes every expression
	// that reads payload fail on this event (it does not match).
	Payload() (*Payload, error)
}

// Event is one event as expressions see it: the cheap variables as
// fields, the rest through Load. One Event serves every subscription's
// expression on that event, so what Load builds is built once. It is not
// safe for concurrent use.
type Event struct {
	Type      event.Type
	ContactID string
	Load      Loader

	source     string
	receivedAt time.Time
	headers    map[string]string
	payload    *Payload
	payloadErr error
	loaded     uint8 // bits: loadedReceivedAt, loadedHeaders, loadedPayload
}

const (
	loadedSource uint8 = 1 << iota
	loadedReceivedAt
	loadedHeaders
	loadedPayload
)

// Reset makes e describe another event, dropping what was loaded.
func (e *Event) Reset(typ event.Type, contactID string, load Loader) {
	*e = Event{Type: typ, ContactID: contactID, Load: load}
}

// ResolveName implements interpreter.Activation.
func (e *Event) ResolveName(name string) (any, bool) {
	switch name {
	case "type":
		return typeValue(e.Type), true
	case "contactId":
		return types.String(e.ContactID), true
	case "source":
		return types.String(e.loadSource()), true
	case "receivedAt":
		return types.Timestamp{Time: e.loadReceivedAt()}, true
	case "headers":
		return e.loadHeaders(), true
	case "payload":
		return e.loadPayload()
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (e *Event) Parent() interpreter.Activation { return nil }

func (e *Event) loadSource() string {
	if e.loaded&loadedSource == 0 {
		e.loaded |= loadedSource
		if e.Load != nil {
			e.source = e.Load.Source()
		}
	}
	return e.source
}

func (e *Event) loadReceivedAt() time.Time {
	if e.loaded&loadedReceivedAt == 0 {
		e.loaded |= loadedReceivedAt
		if e.Load != nil {
			e.receivedAt = e.Load.ReceivedAt()
		}
	}
	return e.receivedAt
}

// typeValues are the catalog's types as CEL values, made once.
var typeValues = func() map[event.Type]ref.Val {
	m := map[event.Type]ref.Val{}
	for _, spec := range event.Catalog() {
		m[spec.Type] = types.String(spec.Type)
	}
	return m
}()

func typeValue(t event.Type) ref.Val {
	if v, ok := typeValues[t]; ok {
		return v
	}
	return types.String(t)
}

func (e *Event) loadHeaders() map[string]string {
	if e.loaded&loadedHeaders == 0 {
		e.loaded |= loadedHeaders
		if e.Load != nil {
			e.headers = e.Load.Headers()
		}
		if e.headers == nil {
			e.headers = map[string]string{}
		}
	}
	return e.headers
}

func (e *Event) loadPayload() (any, bool) {
	if e.loaded&loadedPayload == 0 {
		e.loaded |= loadedPayload
		if e.Load != nil {
			e.payload, e.payloadErr = e.Load.Payload()
		}
		if e.payload == nil && e.payloadErr == nil {
			e.payload = &Payload{typ: e.Type}
		}
	}
	if e.payloadErr != nil {
		return types.WrapErr(e.payloadErr), true
	}
	return e.payload, true
}

// PayloadErr is the error Load.Payload returned, once an expression read
// payload; nil otherwise.
func (e *Event) PayloadErr() error { return e.payloadErr }

// FromEvent returns the filter view of a decoded event with its record's
// headers (for the admin API's test-filter and for tests; fan-out builds
// Events from records without decoding).
func FromEvent(ev event.Event, headers map[string]string) *Event {
	return &Event{Type: ev.Type, ContactID: ev.ContactID, Load: decoded{ev: ev, headers: headers}}
}

type decoded struct {
	ev      event.Event
	headers map[string]string
}

func (d decoded) Headers() map[string]string { return d.headers }
func (d decoded) Payload() (*Payload, error) { return NewPayload(d.ev), nil }
func (d decoded) ReceivedAt() time.Time      { return d.ev.ReceivedAt }
func (d decoded) Source() string             { return d.ev.Source }
