package subscription

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/transform"
)

// Options are a Store's collaborators; the zero value of each field is
// usable.
type Options struct {
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Log receives decode and decrypt problems. Default: none.
	Log *zap.Logger
	// ReservedTopics are topic prefixes Kafka destinations may not use; the
	// lead wires kafka.topic_prefix here. "engagehub." is always reserved.
	ReservedTopics []string
	// Addresses refuses webhook URLs whose literal IP the sender would
	// refuse to dial; the lead wires the sender's DialPolicy here.
	// Default nil: no address check.
	Addresses AddressPolicy
	// Transform are the limits a transformation is tried within when a
	// subscription is saved: the senders'. Default transform.DefaultConfig.
	Transform transform.Config
}

// Store holds every subscription. Its state is the in-memory view built by
// replaying the Log; writes go to the Log and return once this instance
// has applied them (read-your-writes). Writes on one instance are
// serialized; two instances editing one subscription at once resolve by
// last write wins, as the topic orders them.
type Store struct {
	cfg       Config
	cipher    *Cipher
	now       func() time.Time
	log       *zap.Logger
	reserve   []string
	addresses AddressPolicy
	transform transform.Config
	matcher   *Matcher
	journal   Log

	writeMu sync.Mutex // serializes read-modify-write on this instance

	mu        sync.RWMutex
	subs      map[string]*entry
	deletions map[string]time.Time
	version   uint64
	replaying bool
	watchers  map[chan struct{}]struct{}
}

// entry is one subscription with its sealed secrets.
type entry struct {
	sub    Subscription // secrets decrypted
	sealed []sealedSecret
	auth   []byte // sealed authSecrets
}

// Open opens the log through open, replays it, and returns the Store. Call
// Run to follow changes made by other instances.
func Open(ctx context.Context, open Opener, cfg Config, cipher *Cipher, opts Options) (*Store, error) {
	s := &Store{
		cfg: cfg, cipher: cipher, now: opts.Now, log: opts.Log, matcher: NewMatcher(),
		reserve:   append([]string{DefaultReservedTopicsBase}, opts.ReservedTopics...),
		addresses: opts.Addresses,
		subs:      map[string]*entry{},
		deletions: map[string]time.Time{},
		watchers:  map[chan struct{}]struct{}{},
		replaying: true,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.transform = opts.Transform; s.transform == (transform.Config{}) {
		s.transform = transform.DefaultConfig()
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	journal, err := open(ctx, s.apply)
	if err != nil {
		return nil, fmt.Errorf("subscription: open %s: %w", cfg.Topic, err)
	}
	s.journal = journal
	s.mu.Lock()
	s.replaying = false
	s.rebuildLocked()
	s.mu.Unlock()
	return s, nil
}

// Run follows the log until ctx is done.
func (s *Store) Run(ctx context.Context) error { return s.journal.Run(ctx) }

// Close releases the log.
func (s *Store) Close() error { return s.journal.Close() }

// Matcher returns the matcher kept current with the store.
func (s *Store) Matcher() *Matcher { return s.matcher }

// Config returns the section the store was opened with.
func (s *Store) Config() Config { return s.cfg }

// List returns every subscription, sorted by id.
func (s *Store) List() []Subscription {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Subscription, 0, len(s.subs))
	for _, e := range s.subs {
		out = append(out, e.sub.Clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Get returns subscription id, or an error wrapping ErrNotFound.
func (s *Store) Get(id string) (Subscription, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.subs[id]
	if !ok {
		return Subscription{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return e.sub.Clone(), nil
}

// Changes returns a channel that receives (coalesced) after every change to
// the store, from this instance or another, and a func that stops it. Fan-out
// does not need it (it reads the Matcher); senders and the topic reconciler do.
func (s *Store) Changes() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.watchers[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.watchers, ch)
		s.mu.Unlock()
	}
}

// Deletions returns the deleted subscriptions whose delivery topic has not
// been retired yet, with their deletion time.
func (s *Store) Deletions() map[string]time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]time.Time, len(s.deletions))
	for id, at := range s.deletions {
		out[id] = at
	}
	return out
}
