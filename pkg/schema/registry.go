package schema

import "context"

// Registry is the narrow view of a Confluent-compatible schema registry
// that Serde needs; schema/registry provides the HTTP client and the
// built-in registry. Schema ids are Confluent's.
type Registry interface {
	// Register registers schema (Avro JSON) under subject and returns its
	// id; registering an identical schema again returns the same id. It
	// fails when the schema is incompatible with the subject's history
	// (not retriable) or the registry is unreachable (retriable). A
	// cancelled ctx abandons the call.
	Register(ctx context.Context, subject, schema string) (int, error)
	// Schema returns the schema text registered with id. It fails when no
	// schema has that id (not retriable) or the registry is unreachable
	// (retriable). A cancelled ctx abandons the call.
	Schema(ctx context.Context, id int) (string, error)
}

// Subject returns the registry subject of a topic's values: "<topic>-value".
func Subject(topic string) string {
	return topic + "-value"
}
