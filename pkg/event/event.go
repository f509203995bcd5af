package event

import "time"

// SourceEngage is Event.Source for events received from Engage's webhooks;
// events from internal producers carry the producing service's name.
const SourceEngage = "engage"

// Event is one validated event, as it is encoded to Kafka.
type Event struct {
	// ID is the envelope's id; callers fill it in when Engage sent none.
	ID   string
	Type Type
	// Tenant is Engage's tenant name, "" when absent.
	Tenant string
	// Source is SourceEngage or the name of the internal producer.
	Source string
	// ReceivedAt is when ingest received the event, in UTC, to the millisecond.
	ReceivedAt time.Time
	// ContactID is the payload's contactId: the Kafka key.
	ContactID   string
	IsEncrypted bool
	// Payload holds the typed payload fields by canonical camelCase name
	// (see Kind for the Go types); absent optional fields are left out. It
	// is nil for a type outside the catalog and for an encrypted payload.
	Payload map[string]any
	// Raw is the original envelope JSON, byte for byte.
	Raw []byte
}

// New validates env (see Validate) and returns its Event, received from
// source at receivedAt.
func New(env Envelope, source string, receivedAt time.Time) (Event, error) {
	payload, ferr := typedPayload(env)
	if ferr != nil {
		return Event{}, ferr
	}
	ev := Event{
		ID:          env.ID,
		Type:        env.Type,
		Tenant:      env.Tenant,
		Source:      source,
		ReceivedAt:  receivedAt.UTC().Truncate(time.Millisecond),
		IsEncrypted: env.IsEncrypted,
		Payload:     payload,
		Raw:         env.Raw,
	}
	if id, ok := payload[contactID].(string); ok {
		ev.ContactID = id
	} else {
		ev.ContactID = env.ContactID()
	}
	return ev, nil
}

// Typed reports whether ev has a typed payload, i.e. it is encoded with its
// type's schema rather than routed raw to the unrecognized topic.
func (ev Event) Typed() bool {
	return ev.Payload != nil && ev.Type.Known()
}
