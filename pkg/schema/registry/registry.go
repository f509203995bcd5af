package registry

import (
	"context"
	"slices"
	"sync"
)

// Log is where the built-in registry writes its records; the caller backs it
// with a compacted Kafka topic and replays that topic into Registry.Apply.
type Log interface {
	// Append durably writes one record and returns once it is acknowledged
	// (acks=all): a nil error means a replay will see the record. The
	// registry commits nothing else. A cancelled ctx aborts the write with
	// ctx's error; any error fails the registry write with 503/50001 and may
	// be retried by the client. Append must not wait for the record to come
	// back through Apply.
	Append(ctx context.Context, key, value []byte) error
}

// SubjectVersion is one version of a subject, as GET
// /subjects/{s}/versions/{v} returns it.
type SubjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
}

// Latest asks for the latest live version where a version number is taken.
const Latest = -1

// Registry is the built-in schema registry: an in-memory view of its Log.
// Writes are serialized by one mutex and go validate, Append, apply, answer;
// reads take a read lock only.
//
// A single instance should take writes (as Confluent forwards writes to one
// primary): two instances writing at once may both assign the next id, and
// Apply then keeps the first record in log order and reports ErrConflict for
// the other.
type Registry struct {
	log     Log
	writeMu sync.Mutex   // serializes writes, held across Append
	mu      sync.RWMutex // guards st
	st      *state
}

// New returns an empty registry writing to log. Replay the log into Apply
// before serving.
func New(log Log) *Registry {
	return &Registry{log: log, st: newState()}
}

// Apply folds one log record into the registry. Call it for every record of
// the log at start-up, in log order, and for records appended later by other
// instances; records this instance appended are already applied, and applying
// one again is a no-op. A nil value (a tombstone) is ignored. A record that
// cannot be decoded, or that contradicts an earlier one (ErrConflict), is
// skipped and reported; the caller logs it and goes on.
func (r *Registry) Apply(key, value []byte) error {
	if value == nil {
		return nil
	}
	rec, err := decodeRecord(key, value)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.apply(rec)
}

// read runs f under the read lock.
func (r *Registry) read(f func(st *state) error) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return f(r.st)
}

// SchemaByID returns the schema registered with id, as first registered.
func (r *Registry) SchemaByID(id int) (string, error) {
	var text string
	err := r.read(func(st *state) error {
		p, ok := st.schemas[id]
		if !ok {
			return errSchemaNotFound("Schema %d not found", id)
		}
		text = p.text
		return nil
	})
	return text, err
}

// Subjects returns the subjects with at least one live version, sorted.
func (r *Registry) Subjects() []string {
	out := []string{}
	_ = r.read(func(st *state) error {
		for name, sub := range st.subjects {
			if len(sub.live()) > 0 {
				out = append(out, name)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// Versions returns the live versions of subject, ascending.
func (r *Registry) Versions(subject string) ([]int, error) {
	var out []int
	err := r.read(func(st *state) error {
		sub, err := st.liveSubject(subject)
		if err != nil {
			return err
		}
		for _, v := range sub.live() {
			out = append(out, v.version)
		}
		return nil
	})
	return out, err
}

// Version returns one live version of subject; version Latest asks for the
// highest.
func (r *Registry) Version(subject string, version int) (SubjectVersion, error) {
	var out SubjectVersion
	err := r.read(func(st *state) error {
		v, err := st.version(subject, version)
		if err != nil {
			return err
		}
		out = st.subjectVersion(subject, v)
		return nil
	})
	return out, err
}

// version finds a live version of subject.
func (s *state) version(subject string, version int) (subjectVersion, error) {
	sub, err := s.liveSubject(subject)
	if err != nil {
		return subjectVersion{}, err
	}
	live := sub.live()
	if version == Latest {
		return live[len(live)-1], nil
	}
	for _, v := range live {
		if v.version == version {
			return v, nil
		}
	}
	return subjectVersion{}, errVersionNotFound(subject, version)
}

// Lookup returns the live version of subject whose schema is schema, as
// POST /subjects/{s} does.
func (r *Registry) Lookup(subject, schema string) (SubjectVersion, error) {
	p, err := parseSchema(schema)
	if err != nil {
		return SubjectVersion{}, err
	}
	var out SubjectVersion
	err = r.read(func(st *state) error {
		v, err := st.lookup(subject, p)
		if err != nil {
			return err
		}
		out = st.subjectVersion(subject, v)
		return nil
	})
	return out, err
}

func (s *state) lookup(subject string, p parsed) (subjectVersion, error) {
	sub, err := s.liveSubject(subject)
	if err != nil {
		return subjectVersion{}, err
	}
	for _, v := range sub.live() {
		if s.schemas[v.id].id == p.id {
			return v, nil
		}
	}
	return subjectVersion{}, errSchemaNotFound("Schema not found under subject '%s'", subject)
}

func (s *state) subjectVersion(subject string, v subjectVersion) SubjectVersion {
	return SubjectVersion{Subject: subject, Version: v.version, ID: v.id, Schema: s.schemas[v.id].text}
}
