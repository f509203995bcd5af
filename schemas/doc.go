// Package schemas holds the Avro schemas of engagehub's event topics, one
// self-contained .avsc per Engage event type (<eventType>.avsc) plus
// envelope.avsc, the schema of the unrecognized-events topic. Package
// schema (pkg/schema) loads them; registries and consumers in any language
// read the same files.
//
// The files are generated from the event catalog (pkg/event) by
// `go test ./pkg/schema -run TestSchemaFiles -update`; a test fails when
// they drift. Once a schema version is published, change it only in
// BACKWARD-compatible ways (add optional fields with defaults).
package schemas
