// Package registry speaks the Confluent Schema Registry REST API from both
// sides.
//
// Producers in ingest and fanout encode Avro values with Confluent framing
// (magic byte 0, 4-byte big-endian schema id, Avro binary) under the subject
// "<topic>-value"; downstream teams decode them with any stock deserializer.
// The schema ids come from a registry:
//
//   - Client talks to any Confluent-compatible registry (Confluent, Redpanda,
//     Apicurio's ccompat API, or the built-in one below) and caches ids.
//   - Registry is the built-in registry served when no external one is
//     configured. Its state is an append-only log of records kept by the
//     caller in a compacted Kafka topic (see Log and Registry.Apply);
//     NewHandler exposes the subset of the REST API that serializers and
//     kcat-style tools use, normally mounted at "/registry".
//
// The package imports neither pkg/schema nor pkg/event and holds no Kafka
// client: the caller wires a Log backed by its producer and replays the
// topic into Registry.Apply.
package registry
