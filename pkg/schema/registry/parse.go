package registry

import (
	"crypto/sha256"
	"encoding/json"

	"github.com/hamba/avro/v2"
)

// identity is what two registrations must share to get the same schema id:
// the hash of hamba's full JSON form of the parsed schema. Unlike the
// Parsing Canonical Form fingerprint it keeps defaults, docs, aliases and
// logical types, so only whitespace, key order and name spelling differences
// collapse, close to Confluent's own comparison.
type identity [32]byte

// parsed is a schema as registered plus its parsed form.
type parsed struct {
	text   string
	schema avro.Schema
	id     identity
}

// parseSchema parses an Avro schema with a private name cache, so one
// subject's record names never leak into another's parse.
func parseSchema(text string) (parsed, error) {
	s, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return parsed{}, errInvalidSchema("Invalid schema: %v", err)
	}
	full, err := json.Marshal(s)
	if err != nil {
		return parsed{}, errInvalidSchema("Invalid schema: %v", err)
	}
	return parsed{text: text, schema: s, id: sha256.Sum256(full)}, nil
}
