package attemptindex

import (
	"context"
	"strings"
	"sync"
	"time"

	json "github.com/segmentio/encoding/json"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Reader reads attempt records back by offset; *kafka.Client is one.
// Offsets that no longer exist are absent from the result; errors are
// Kafka's (retriable).
type Reader interface {
	ReadOffsets(ctx context.Context, topic string, partition int, offsets []int64) (map[int64]kafka.Message, error)
}

// Index is the in-memory index of the attempt log. Add is called by the
// follower (Run) for every record; queries may run concurrently with it.
type Index struct {
	cfg    Config
	topic  string
	reader Reader

	mu    sync.RWMutex
	subs  map[string]*ring
	types map[string]uint16
	total int
}

// New returns an empty index of topic whose records reader reads back.
func New(cfg Config, topic string, reader Reader) *Index {
	return &Index{cfg: cfg.withDefaults(), topic: topic, reader: reader, subs: map[string]*ring{}, types: map[string]uint16{}}
}

// fields are the parts of an attempt record the index keeps.
type fields struct {
	Subscription string    `json:"subscription"`
	EventID      string    `json:"eventId"`
	EventType    string    `json:"eventType"`
	ContactID    string    `json:"contactId"`
	Status       int       `json:"status"`
	Outcome      string    `json:"outcome"`
	At           time.Time `json:"at"`
}

// Add indexes attempt record m; a record that is not an attempt is skipped.
func (x *Index) Add(m kafka.Message) bool {
	var f fields // its strings alias m.Value (ZeroCopy): cloned where kept
	if _, err := json.Parse(m.Value, &f, json.ZeroCopy); err != nil || f.Subscription == "" {
		return false
	}
	e := entry{offset: m.Offset, at: f.At.UnixNano(), contact: hash32(f.ContactID), event: hash32(f.EventID),
		status: uint16(min(max(f.Status, 0), 65535)), partition: uint16(m.Partition), outcome: outcomeCode(f.Outcome)}
	x.mu.Lock()
	defer x.mu.Unlock()
	e.etype = x.intern(f.EventType)
	r := x.subs[f.Subscription]
	if r == nil {
		r = x.newRing(f.Subscription)
	}
	if r.add(e) {
		x.total++
	}
	return true
}

// intern returns the id of event type t (0 for the 65,536th type and on).
func (x *Index) intern(t string) uint16 {
	id, ok := x.types[t]
	if !ok && len(x.types) < 65535 {
		id = uint16(len(x.types) + 1)
		x.types[strings.Clone(t)] = id
	}
	return id
}

// newRing adds subscription id and shrinks every ring to the new fair
// share, so the total stays within MaxEntries (or MinPerSubscription each).
func (x *Index) newRing(id string) *ring {
	share := x.cfg.share(len(x.subs) + 1)
	for _, r := range x.subs {
		if r.cap != share {
			x.total -= r.resize(share)
		}
	}
	r := &ring{cap: share}
	x.subs[strings.Clone(id)] = r
	return r
}

// Stats says what the index holds.
type Stats struct {
	Subscriptions int `json:"subscriptions"`
	Entries       int `json:"entries"`
	Bytes         int `json:"bytes"` // of entries
}

// Stats returns the index's size.
func (x *Index) Stats() Stats {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return Stats{Subscriptions: len(x.subs), Entries: x.total, Bytes: x.total * entrySize}
}

// entrySize is the size of an entry in memory.
const entrySize = 32
