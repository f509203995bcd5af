package schema

import (
	"fmt"
	"time"
	"unsafe"

	"github.com/hamba/avro/v2"

	"github.com/engagehub/engagehub/pkg/event"
)

// maxValueSize bounds a decoded string (raw is the largest): 16 MiB.
const maxValueSize = 16 << 20

// api is the codec configuration: blocks without byte-size headers (the
// plainest form every Avro library reads) and the Go types that union
// branches of payloads decode into.
var api = newAPI()

func newAPI() avro.API {
	a := avro.Config{DisableBlockSizeHeader: true, MaxByteSliceSize: maxValueSize}.Freeze()
	a.Register("map:string", map[string]string{})
	a.Register("array:engagehub.engage.RedemptionChannel", []map[string]any{})
	return a
}

// record is the Avro shape of an event; payload is absent from the
// envelope schema and then ignored.
type record struct {
	EventID     string         `avro:"eventId"`
	EventType   string         `avro:"eventType"`
	Tenant      string         `avro:"tenant"`
	Source      string         `avro:"source"`
	ReceivedAt  time.Time      `avro:"receivedAt"`
	IsEncrypted bool           `avro:"isEncrypted"`
	ContactID   string         `avro:"contactId"`
	Payload     map[string]any `avro:"payload"`
	Raw         string         `avro:"raw"`
}

func toRecord(ev event.Event) record {
	return record{
		EventID: ev.ID, EventType: string(ev.Type), Tenant: ev.Tenant, Source: ev.Source,
		ReceivedAt: ev.ReceivedAt, IsEncrypted: ev.IsEncrypted, ContactID: ev.ContactID,
		Payload: ev.Payload,
		// Raw is only read while encoding; aliasing avoids a copy per event.
		Raw: unsafe.String(unsafe.SliceData(ev.Raw), len(ev.Raw)),
	}
}

func (r *record) event() event.Event {
	dropNulls(r.Payload)
	return event.Event{
		ID: r.EventID, Type: event.Type(r.EventType), Tenant: r.Tenant, Source: r.Source,
		ReceivedAt: r.ReceivedAt.UTC(), IsEncrypted: r.IsEncrypted, ContactID: r.ContactID,
		Payload: r.Payload, Raw: []byte(r.Raw),
	}
}

// Encode returns ev as Avro binary in schema s (no framing). s is the
// type's schema from Set.For, or Set.Envelope for an untyped event.
func Encode(s avro.Schema, ev event.Event) ([]byte, error) {
	rec := toRecord(ev)
	b, err := api.Marshal(s, &rec)
	if err != nil {
		return nil, fmt.Errorf("schema: encode %s: %w", ev.Type, err)
	}
	return b, nil
}

// Decode reads Avro binary written in schema s — or, for s from
// avro.SchemaCompatibility.Resolve, written in an older version of it.
// Absent optional payload fields are left out of Payload.
func Decode(s avro.Schema, data []byte) (event.Event, error) {
	var rec record
	if err := api.Unmarshal(s, data, &rec); err != nil {
		return event.Event{}, fmt.Errorf("schema: decode: %w", err)
	}
	return rec.event(), nil
}

// ToJSON returns the event as JSON: its original envelope, byte for byte.
func ToJSON(ev event.Event) []byte {
	return ev.Raw
}

// dropNulls removes absent optional fields (Avro nulls) from a decoded
// payload and from its nested records, as event.New leaves them out.
func dropNulls(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case []map[string]any:
			for _, item := range v {
				dropNulls(item)
			}
		}
	}
}
