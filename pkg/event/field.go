package event

// Kind is the type of a payload field after parsing, and decides its Avro type.
type Kind int

// Payload field kinds. The Go type in Event.Payload is given for each.
const (
	// KindString is text: string. Only JSON strings are accepted.
	KindString Kind = iota + 1
	// KindID is an identifier sent as a string or an integer: string
	// (an integer becomes its decimal text, so "42" and 42 are equal).
	KindID
	// KindBool is a flag; JSON true/false or the strings "true"/"false": bool.
	KindBool
	// KindInt is an integer, from a JSON number or a numeric string: int64.
	KindInt
	// KindDecimal is an exact decimal number, from a JSON number or a
	// numeric string, kept as its plain decimal text ("12.50"): string.
	KindDecimal
	// KindTimestamp is a point in time (RFC 3339; no zone means UTC),
	// truncated to milliseconds, in UTC: time.Time.
	KindTimestamp
	// KindAttributes is a JSON object of contact attributes:
	// map[string]string, string values verbatim, other values as their
	// compact JSON text, null values left out.
	KindAttributes
	// KindChannels is a promotion's redemption channels:
	// []map[string]any, each with "type" (string, required), and optional
	// "valueType" (string) and "value" (string; a number becomes its text).
	KindChannels
)

var kindNames = [...]string{
	KindString: "string", KindID: "id", KindBool: "bool", KindInt: "int",
	KindDecimal: "decimal", KindTimestamp: "timestamp",
	KindAttributes: "attributes", KindChannels: "channels",
}

// String returns the kind's name as used in error messages and the catalog.
func (k Kind) String() string {
	if k <= 0 || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// Field describes one payload field of an event type.
type Field struct {
	// Name is the canonical camelCase name, used in Event.Payload and Avro.
	// Engage may send it in another casing (reward.voucher.created uses
	// PascalCase); lookups ignore case.
	Name string
	// Kind is the field's type.
	Kind Kind
	// Required fields must be present and non-null.
	Required bool
	// Doc describes the field; it becomes the Avro field's doc.
	Doc string
}

func req(name string, k Kind, doc string) Field {
	return Field{Name: name, Kind: k, Required: true, Doc: doc}
}
func opt(name string, k Kind, doc string) Field { return Field{Name: name, Kind: k, Doc: doc} }

// contactID is the field every catalog type carries; it keys Kafka records.
const contactID = "contactId"

var (
	fContactID = req(contactID, KindID, "The Engage contact id.")
	fSource    = opt("source", KindString, "What made the change, as Engage reports it.")
)

func optInFields(channel string) []Field {
	return []Field{
		fContactID,
		req("value", KindBool, "Whether the contact now accepts "+channel+"."),
		opt("changedAt", KindTimestamp, "When the opt-in changed."),
		fSource,
	}
}

func contactFields() []Field {
	return []Field{
		fContactID,
		opt("contactType", KindString, "The contact type, e.g. Member or Contact."),
		opt("attributes", KindAttributes, "Contact attributes; non-string values as compact JSON text."),
	}
}
