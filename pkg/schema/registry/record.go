package registry

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Record kinds, the "kind" field of every log value.
const (
	kindSchema = "schema"
	kindConfig = "config"
	kindDelete = "delete"
)

// record is one entry of the registry's log. Values are JSON; every value is
// self-contained, so replaying any compacted suffix-preserving log rebuilds
// the same state.
//
// Keys, chosen so that Kafka compaction never drops live state:
//
//	schema/<subject>/<version>  a registration; unique, never overwritten
//	config                      the global compatibility level; last wins
//	config/<subject>            a subject's level; last wins ("" clears it)
//	delete/<subject>            soft delete of every version <= upToVersion;
//	                            a later delete covers everything an earlier did
type record struct {
	Kind          string `json:"kind"`
	Subject       string `json:"subject,omitempty"`
	Version       int    `json:"version,omitempty"`
	ID            int    `json:"id,omitempty"`
	Schema        string `json:"schema,omitempty"`
	Compatibility Level  `json:"compatibility,omitempty"`
	UpToVersion   int    `json:"upToVersion,omitempty"`
}

// key returns the compaction key of the record.
func (r record) key() string {
	switch r.Kind {
	case kindSchema:
		return "schema/" + r.Subject + "/" + strconv.Itoa(r.Version)
	case kindConfig:
		if r.Subject == "" {
			return "config"
		}
		return "config/" + r.Subject
	default:
		return "delete/" + r.Subject
	}
}

// decodeRecord parses a log value and checks it against its key.
func decodeRecord(key, value []byte) (record, error) {
	var r record
	if err := json.Unmarshal(value, &r); err != nil {
		return record{}, fmt.Errorf("registry: decode record %q: %w", key, err)
	}
	if err := r.validate(); err != nil {
		return record{}, fmt.Errorf("registry: decode record %q: %w", key, err)
	}
	if r.key() != string(key) {
		return record{}, fmt.Errorf("registry: decode record %q: value belongs to key %q", key, r.key())
	}
	return r, nil
}

func (r record) validate() error {
	switch r.Kind {
	case kindSchema:
		if r.Subject == "" || r.Version < 1 || r.ID < 1 || r.Schema == "" {
			return fmt.Errorf("schema record needs subject, version, id and schema")
		}
	case kindConfig:
		if r.Compatibility == "" && r.Subject == "" {
			return fmt.Errorf("global config record needs a compatibility level")
		}
		if _, err := ParseLevel(string(r.Compatibility)); r.Compatibility != "" && err != nil {
			return fmt.Errorf("unknown compatibility level %q", r.Compatibility)
		}
	case kindDelete:
		if r.Subject == "" || r.UpToVersion < 1 {
			return fmt.Errorf("delete record needs subject and upToVersion")
		}
	default:
		return fmt.Errorf("unknown kind %q", r.Kind)
	}
	return nil
}

// encode returns the record's key and JSON value.
func (r record) encode() (key, value []byte) {
	value, _ = json.Marshal(r) // only strings and ints: cannot fail
	return []byte(r.key()), value
}
