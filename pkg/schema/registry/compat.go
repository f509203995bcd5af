package registry

import (
	"fmt"
	"net/http"
	"strings"
)

// CheckCompatibility reports why schema could not be registered under
// subject, empty when it could. With version 0 it checks as registration
// does (the subject's level, against the latest or, for *_TRANSITIVE, every
// live version; an unknown subject is compatible); otherwise against that one
// version (or Latest) in the level's directions.
func (r *Registry) CheckCompatibility(subject string, version int, schema string) ([]string, error) {
	p, err := parseSchema(schema)
	if err != nil {
		return nil, err
	}
	var reasons []string
	err = r.read(func(st *state) error {
		if version == 0 {
			reasons = st.incompatibilities(subject, p)
			return nil
		}
		v, err := st.version(subject, version)
		if err != nil {
			return err
		}
		reasons = st.checkOne(st.levelOf(subject), p, v)
		return nil
	})
	return reasons, err
}

// incompatibilities checks p against the subject's live versions as its level
// requires.
func (s *state) incompatibilities(subject string, p parsed) []string {
	level := s.levelOf(subject)
	sub, ok := s.subjects[subject]
	if !ok || level == None {
		return nil
	}
	live := sub.live()
	if len(live) == 0 {
		return nil
	}
	if !level.transitive() {
		live = live[len(live)-1:]
	}
	var reasons []string
	for i := len(live) - 1; i >= 0; i-- {
		reasons = append(reasons, s.checkOne(level, p, live[i])...)
	}
	return reasons
}

// checkOne checks p against one version under level.
func (s *state) checkOne(level Level, p parsed, v subjectVersion) []string {
	var reasons []string
	for _, why := range level.compatible(p.schema, s.schemas[v.id].schema) {
		reasons = append(reasons, fmt.Sprintf("version %d (%s): %s", v.version, level, why))
	}
	return reasons
}

// errIncompatible is the 409 Confluent answers to an incompatible schema.
func errIncompatible(subject string, reasons []string) *Error {
	return newError(http.StatusConflict, CodeIncompatibleSchema,
		"Schema being registered is incompatible with an earlier schema for subject %q, details: [%s]",
		subject, strings.Join(reasons, "; "))
}
