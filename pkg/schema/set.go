package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/schemas"
)

// envelopeFile is the schema of events routed to the unrecognized topic.
const envelopeFile = "envelope.avsc"

// Set is the parsed schemas of /schemas: one per catalog type plus the
// envelope. It is immutable and safe for concurrent use.
type Set struct {
	types    map[event.Type]entry
	envelope entry
	byName   map[string]avro.Schema // full record name -> schema
}

type entry struct {
	schema avro.Schema
	text   string
}

// Load parses every embedded schema. It fails when a catalog type has no
// schema file or a file does not parse.
func Load() (*Set, error) {
	env, err := loadFile(envelopeFile)
	if err != nil {
		return nil, err
	}
	s := &Set{types: make(map[event.Type]entry), envelope: env, byName: make(map[string]avro.Schema)}
	s.byName[fullName(env.schema)] = env.schema
	for _, spec := range event.Catalog() {
		e, err := loadFile(string(spec.Type) + ".avsc")
		if err != nil {
			return nil, err
		}
		s.types[spec.Type] = e
		s.byName[fullName(e.schema)] = e.schema
	}
	return s, nil
}

func loadFile(name string) (entry, error) {
	data, err := schemas.FS.ReadFile(name)
	if err != nil {
		return entry{}, fmt.Errorf("schema: read %s: %w", name, err)
	}
	sch, err := avro.ParseBytesWithCache(data, "", &avro.SchemaCache{})
	if err != nil {
		return entry{}, fmt.Errorf("schema: parse %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return entry{}, fmt.Errorf("schema: compact %s: %w", name, err)
	}
	return entry{schema: sch, text: b.String()}, nil
}

// For returns the schema of a catalog type, or false for any other type.
func (s *Set) For(t event.Type) (avro.Schema, bool) {
	e, ok := s.types[t]
	return e.schema, ok
}

// Envelope returns the schema of the unrecognized topic: the envelope
// fields and raw, no typed payload.
func (s *Set) Envelope() avro.Schema {
	return s.envelope.schema
}

// Text returns the schema JSON to register for type t — the envelope's for
// a type outside the catalog. It is the .avsc file compacted, not Avro's
// Parsing Canonical Form, which drops the defaults and docs that
// BACKWARD-compatibility checks and readers need.
func (s *Set) Text(t event.Type) string {
	if e, ok := s.types[t]; ok {
		return e.text
	}
	return s.envelope.text
}

// byFullName returns our schema for a record name, e.g.
// "engagehub.engage.PointBalanceUpdated".
func (s *Set) byFullName(name string) (avro.Schema, bool) {
	sch, ok := s.byName[name]
	return sch, ok
}

func fullName(sch avro.Schema) string {
	if n, ok := sch.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return strings.ToLower(string(sch.Type()))
}
