package subscription

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/engagehub/engagehub/pkg/event"
)

// Matcher answers which enabled subscriptions want an event type. Reads are
// lock-free: Load returns the current immutable Snapshot, which the Store
// replaces (with Set) whenever a subscription changes. Fan-out loads one
// snapshot per batch, so every event of a batch sees the same set.
type Matcher struct {
	cur atomic.Pointer[Snapshot]
}

// NewMatcher returns a Matcher over no subscriptions.
func NewMatcher() *Matcher {
	m := &Matcher{}
	m.cur.Store(NewSnapshot(nil, 0))
	return m
}

// Load returns the current snapshot.
func (m *Matcher) Load() *Snapshot { return m.cur.Load() }

// Set replaces the snapshot.
func (m *Matcher) Set(s *Snapshot) { m.cur.Store(s) }

// Snapshot is an immutable view of the subscriptions with the answer to
// Match precomputed for every catalog type. Its Subscriptions are shared:
// callers must not modify them.
type Snapshot struct {
	version uint64
	all     []*Subscription // sorted by id
	enabled []*Subscription
	byType  map[event.Type][]*Subscription
}

// NewSnapshot builds a snapshot of subs (the slice is not kept). version
// orders snapshots; the Store uses the offset of the last applied record.
func NewSnapshot(subs []*Subscription, version uint64) *Snapshot {
	s := &Snapshot{version: version, all: slices.Clone(subs), byType: map[event.Type][]*Subscription{}}
	slices.SortFunc(s.all, func(a, b *Subscription) int { return strings.Compare(a.ID, b.ID) })
	for _, sub := range s.all {
		if sub.Enabled {
			s.enabled = append(s.enabled, sub)
		}
	}
	for _, spec := range event.Catalog() {
		s.byType[spec.Type] = s.compute(spec.Type)
	}
	return s
}

// Version identifies the snapshot; a later snapshot has a larger version.
func (s *Snapshot) Version() uint64 { return s.version }

// Match returns the enabled subscriptions wanting type t, sorted by id.
// For a catalog type the answer is precomputed; for any other type (an
// event from the unrecognized topic) it is computed on the call.
func (s *Snapshot) Match(t event.Type) []*Subscription {
	if subs, ok := s.byType[t]; ok {
		return subs
	}
	return s.compute(t)
}

// Subscriptions returns every subscription, enabled or not, sorted by id.
func (s *Snapshot) Subscriptions() []*Subscription { return s.all }

func (s *Snapshot) compute(t event.Type) []*Subscription {
	var out []*Subscription
	for _, sub := range s.enabled {
		if sub.Wants(t) {
			out = append(out, sub)
		}
	}
	return out
}
