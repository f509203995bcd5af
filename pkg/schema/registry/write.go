package registry

import (
	"context"
	"fmt"
	"net/http"
)

// Register registers schema under subject and returns its version.
// Registering a schema the subject already has (same parsed form) returns
// the existing version and writes nothing; a schema known under another
// subject keeps its id; anything else gets the next id. It fails with 422
// (ErrInvalidSchema) for a malformed schema, 409 (ErrIncompatibleSchema)
// when the subject's level refuses it, and 500 (ErrBackendStore) when the
// Log refuses the record.
func (r *Registry) Register(ctx context.Context, subject, schema string) (SubjectVersion, error) {
	p, err := parseSchema(schema)
	if err != nil {
		return SubjectVersion{}, err
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	rec, existing, err := r.plan(subject, p)
	if err != nil || rec == nil {
		return existing, err
	}
	if err := r.commit(ctx, *rec); err != nil {
		return SubjectVersion{}, err
	}
	return r.Version(subject, rec.Version)
}

// plan decides what registering p under subject means: the existing version
// (nil record), a refusal, or the record to write.
func (r *Registry) plan(subject string, p parsed) (*record, SubjectVersion, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if v, err := r.st.lookup(subject, p); err == nil {
		return nil, r.st.subjectVersion(subject, v), nil
	}
	if reasons := r.st.incompatibilities(subject, p); len(reasons) > 0 {
		return nil, SubjectVersion{}, errIncompatible(subject, reasons)
	}
	rec := r.st.registration(subject, p)
	return &rec, SubjectVersion{}, nil
}

// registration builds the record registering p as the subject's next version.
func (s *state) registration(subject string, p parsed) record {
	id, ok := s.ids[p.id]
	if !ok {
		id = s.maxID + 1
	}
	next := 1
	if sub, ok := s.subjects[subject]; ok {
		next = sub.maxVersion() + 1
	}
	return record{Kind: kindSchema, Subject: subject, Version: next, ID: id, Schema: p.text}
}

// commit appends rec to the log and then applies it. The caller holds writeMu.
func (r *Registry) commit(ctx context.Context, rec record) error {
	key, value := rec.encode()
	if err := r.log.Append(ctx, key, value); err != nil {
		return &Error{ // the log is Kafka: its failures are outages, worth a retry
			Status:  http.StatusServiceUnavailable,
			Code:    CodeBackendStore,
			Message: fmt.Sprintf("Error in the backend data store: append %s: %v", key, err),
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.apply(rec)
}

// GlobalLevel returns the registry-wide compatibility level.
func (r *Registry) GlobalLevel() Level {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.st.global
}

// SubjectLevel returns the subject's own level; with fallback, the global
// level when it has none, else ErrSubjectLevelNotFound.
func (r *Registry) SubjectLevel(subject string, fallback bool) (Level, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if sub, ok := r.st.subjects[subject]; ok && sub.level != "" {
		return sub.level, nil
	}
	if fallback {
		return r.st.global, nil
	}
	return "", errSubjectLevelNotFound(subject)
}

// SetLevel sets the compatibility level of subject, or the global one when
// subject is "".
func (r *Registry) SetLevel(ctx context.Context, subject string, level Level) error {
	level, err := ParseLevel(string(level))
	if err != nil {
		return err
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return r.commit(ctx, record{Kind: kindConfig, Subject: subject, Compatibility: level})
}

// DeleteLevel removes subject's own level and returns what it was.
func (r *Registry) DeleteLevel(ctx context.Context, subject string) (Level, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	prev, err := r.SubjectLevel(subject, false)
	if err != nil {
		return "", err
	}
	return prev, r.commit(ctx, record{Kind: kindConfig, Subject: subject})
}

// DeleteSubject soft-deletes every live version of subject and returns them.
// Ids stay resolvable; registering again continues the version numbers.
func (r *Registry) DeleteSubject(ctx context.Context, subject string) ([]int, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	versions, err := r.Versions(subject)
	if err != nil {
		return nil, err
	}
	rec := record{Kind: kindDelete, Subject: subject, UpToVersion: versions[len(versions)-1]}
	return versions, r.commit(ctx, rec)
}
