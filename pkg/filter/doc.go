// Package filter decides, per subscription, which of the events it
// subscribes to it gets: a CEL expression (cel.dev/cel-go) over one event,
// compiled and type-checked against the catalog's schemas when the
// subscription is created or changed, evaluated by fan-out on every event
// the subscription's event types select.
//
//	engage.<type> ──► fanout ──(Program.Match)──► engagehub.deliver.<id> | <team topic>
//
// An expression sees these variables:
//
//	type        string               the event type, e.g. "point.balance.updated"
//	contactId   string               the contact id (the record key)
//	source      string               "engage" or the internal producer's name
//	receivedAt  timestamp            when ingest received the event
//	headers     map(string, string)  the event record's Kafka headers
//	payload     object               the typed payload fields of the Avro schema
//
// payload has the fields of every catalog type the subscription's event
// types select, typed as in the schema: strings and ids are string, flags
// bool, integers int, timestamps timestamp, attributes map(string, string),
// redemptionChannels list(map(string, string)); exact decimals (balance,
// amount) are double, so `payload.balance > 1000.0` reads as it should
// (with the rounding of a double beyond 15 significant digits). A field
// the schemas do not list is a type error at compile time, with its
// position. Fields Engage sends that the schema does not list (a field
// added since) are in payload.unknown, a map(string, dyn) of JSON values by
// the names they arrived with: `payload.unknown.storeId == "S1"`.
//
// Absent optional fields are absent: test them with has(payload.x). An
// expression that fails at run time (a missing field read without has(),
// a division by zero) does not match; fan-out counts it apart from the
// events the expression rejected. Ordering compares numbers of different
// types (`payload.balance > 1000` is fine); equality does not mix them, as
// in CEL everywhere (`payload.balance == 1000.0`, not `== 1000`).
//
// Evaluation is not metered; instead an expression whose worst-case cost
// (over events whose lists and maps have at most 1000 entries and strings
// 64 KiB) is above a million steps is refused at compile time: only
// nested comprehensions (all, exists, map, filter) get there.
//
// Evaluation is cheap and lazy: type, contactId, source and receivedAt
// come from the record's headers and key; the Avro value is decoded only
// when an expression reads payload (see Loader), once per event however
// many subscriptions read it, and only the fields they read (see
// Program.Needs); a map field read only at constant keys
// (payload.attributes.email) only at those keys (Needs.Entries). A Loader
// may hand the payload over as Fields (schema.Fields, one slot per field
// decoded) instead of a map: fan-out does, so filtering an event
// allocates nothing.
//
// Most filters are comparisons, has(), in and string tests joined by &&,
// || and !: Compile turns those into Go closures (native.go) that fan-out
// runs without cel-go's interpreter, with CEL's semantics (errors absorbed
// by && and || as CEL absorbs them, exact int/double comparisons, the
// same "no such key" errors) and a tenth of its cost; a differential test
// holds them to cel-go's verdicts on every catalog type. Every other
// expression runs in the interpreter.
package filter
