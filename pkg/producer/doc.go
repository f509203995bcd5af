// Package producer publishes Engage events straight to Kafka, exactly as
// ingest does: the same per-type topics (engage.<eventType>, or
// engage._unrecognized for a type outside the catalog), the same key (the
// contactId), the same Confluent-framed Avro values and the same headers
// (event-id, event-type, source, received-at).
//
// It sits beside ingest at the front of the pipeline:
//
//	internal service ─► producer ─► engage.<eventType> ─► fanout
//
// Ingest's HTTP handlers build their records with Producer.Records; services
// that produce directly embed this package without running engagehub (Dial
// builds the Kafka writer and the schema-registry client from addresses).
// The `engagehub produce` command goes through Produce and Samples.
//
// The package depends on two narrow interfaces, Encoder (satisfied by
// *schema.Serde) and Sink (satisfied by *kafka.Writer), so tests swap either.
package producer
