package registry

import (
	"errors"
	"fmt"
	"slices"
	"sort"
)

// ErrConflict is returned by Registry.Apply for a record that contradicts one
// applied before it (an id bound to another schema, a subject version bound
// to another id). It only happens when two instances write concurrently; the
// record is skipped, so every replica keeps the first writer's binding.
var ErrConflict = errors.New("registry: record conflicts with an earlier one")

// subjectVersion binds one version of a subject to a schema id.
type subjectVersion struct {
	version int
	id      int
}

// subjectState is everything known about one subject.
type subjectState struct {
	versions    []subjectVersion // ascending by version, deleted ones included
	deletedUpTo int              // versions <= this are soft-deleted
	level       Level            // "" when the subject has no own level
}

// live returns the versions not soft-deleted, ascending.
func (s *subjectState) live() []subjectVersion {
	i := sort.Search(len(s.versions), func(i int) bool { return s.versions[i].version > s.deletedUpTo })
	return s.versions[i:]
}

// maxVersion returns the highest version ever registered, deleted or not.
func (s *subjectState) maxVersion() int {
	if len(s.versions) == 0 {
		return s.deletedUpTo
	}
	return max(s.versions[len(s.versions)-1].version, s.deletedUpTo)
}

// state is the registry's in-memory view of its log. It has no locking;
// Registry guards it.
type state struct {
	schemas  map[int]parsed
	ids      map[identity]int
	subjects map[string]*subjectState
	global   Level
	maxID    int
}

func newState() *state {
	return &state{
		schemas:  map[int]parsed{},
		ids:      map[identity]int{},
		subjects: map[string]*subjectState{},
		global:   DefaultLevel,
	}
}

func (s *state) subject(name string) *subjectState {
	sub, ok := s.subjects[name]
	if !ok {
		sub = &subjectState{}
		s.subjects[name] = sub
	}
	return sub
}

// apply folds one record into the state. Applying a record twice is a no-op.
func (s *state) apply(r record) error {
	switch r.Kind {
	case kindSchema:
		return s.applySchema(r)
	case kindConfig:
		if r.Subject == "" {
			s.global = r.Compatibility
		} else {
			s.subject(r.Subject).level = r.Compatibility
		}
	case kindDelete:
		sub := s.subject(r.Subject)
		sub.deletedUpTo = max(sub.deletedUpTo, r.UpToVersion)
	}
	return nil
}

func (s *state) applySchema(r record) error {
	p, err := parseSchema(r.Schema)
	if err != nil {
		return fmt.Errorf("registry: apply %s: %w", r.key(), err)
	}
	if known, ok := s.schemas[r.ID]; ok && known.id != p.id {
		return fmt.Errorf("registry: apply %s: id %d is another schema: %w", r.key(), r.ID, ErrConflict)
	}
	sub := s.subject(r.Subject)
	i, found := slices.BinarySearchFunc(sub.versions, r.Version, func(v subjectVersion, want int) int {
		return v.version - want
	})
	if found {
		if sub.versions[i].id != r.ID {
			return fmt.Errorf("registry: apply %s: version has id %d: %w", r.key(), sub.versions[i].id, ErrConflict)
		}
		return nil
	}
	sub.versions = slices.Insert(sub.versions, i, subjectVersion{version: r.Version, id: r.ID})
	if _, ok := s.schemas[r.ID]; !ok {
		s.schemas[r.ID] = p
	}
	if _, ok := s.ids[p.id]; !ok {
		s.ids[p.id] = r.ID
	}
	s.maxID = max(s.maxID, r.ID)
	return nil
}

// levelOf returns the subject's own level, or the global one.
func (s *state) levelOf(subject string) Level {
	if sub, ok := s.subjects[subject]; ok && sub.level != "" {
		return sub.level
	}
	return s.global
}

// liveSubject returns the subject if it has at least one live version.
func (s *state) liveSubject(name string) (*subjectState, error) {
	sub, ok := s.subjects[name]
	if !ok || len(sub.live()) == 0 {
		return nil, errSubjectNotFound(name)
	}
	return sub, nil
}
