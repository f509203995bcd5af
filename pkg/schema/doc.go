// Package schema turns events into Kafka record values and back: it loads
// the Avro schemas of /schemas, encodes an event.Event to Avro binary and
// decodes it, adds and strips Confluent's wire framing (magic byte 0 and a
// 4-byte schema id), and, in Serde, ties both to a schema registry.
//
// Ingest calls Serde.Marshal before publishing to engage.<eventType>;
// senders call Serde.Raw (the webhook body) on what they consume, and
// fan-out Serde.Project: only the payload fields its subscriptions'
// filters read, into Fields, and Raw for json copies, skipping the rest
// unbuilt (both walk the record with a cursor of their own, cursor.go,
// and hamba/avro's codec decodes only what is not a primitive). Decoding
// restores Event.Raw, the original envelope, byte for byte, so JSON → Avro
// → JSON loses nothing. The registry client and the built-in registry live
// in schema/registry; this package depends only on the Registry interface.
package schema
