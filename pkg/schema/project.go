package schema

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hamba/avro/v2"
)

// Projection names the parts of an event record a reader needs; Project
// skips the others without building them.
type Projection struct {
	// Payload lists payload fields by canonical name.
	Payload []string
	// AllPayload decodes every payload field (Payload is then ignored).
	AllPayload bool
	// Raw decodes the original envelope JSON.
	Raw bool
	// Entries limits a map field of Payload to the entries of these keys:
	// the others are skipped. A map field without entries is decoded
	// whole.
	Entries map[string][]string

	k string // key, precomputed by NewProjection
}

// NewProjection returns the projection of payload fields (every one with
// all; sorted, without duplicates) and raw, with its cache key computed once: reuse it for many
// records.
func NewProjection(payload []string, all, raw bool) Projection {
	fields := slices.Clone(payload)
	slices.Sort(fields)
	p := Projection{Payload: slices.Compact(fields), AllPayload: all, Raw: raw}
	p.k = p.key()
	return p
}

// WithEntries returns p with Entries set (see Projection; the keys of
// each field sorted, without duplicates) and its key computed again.
func (p Projection) WithEntries(entries map[string][]string) Projection {
	p.Entries = nil
	for field, keys := range entries {
		if p.Entries == nil {
			p.Entries = map[string][]string{}
		}
		keys = slices.Clone(keys)
		slices.Sort(keys)
		p.Entries[field] = slices.Compact(keys)
	}
	p.k = ""
	p.k = p.key()
	return p
}

// Key identifies p: equal keys, equal projections.
func (p Projection) Key() string { return p.key() }

// key identifies p for caching; Payload is sorted.
func (p Projection) key() string {
	if p.k != "" {
		return p.k
	}
	var b strings.Builder
	b.WriteString(strconv.FormatBool(p.AllPayload))
	b.WriteString(strconv.FormatBool(p.Raw))
	if !p.AllPayload {
		fields := slices.Clone(p.Payload)
		slices.Sort(fields)
		for _, f := range slices.Compact(fields) {
			b.WriteString("," + f)
			if keys, ok := p.Entries[f]; ok {
				b.WriteString("[" + strings.Join(keys, "\x00") + "]")
			}
		}
	}
	return b.String()
}

// projections maps (writer schema id, projection) to its walker.
type projections struct {
	// last is the walker found last: records come in runs of one type
	// and projection, and comparing a projection's key with the one it
	// was made with is a pointer comparison, cheaper than hashing it.
	last  atomic.Pointer[lastWalker]
	byKey sync.Map // projKey -> *walker
	mu    sync.Mutex
	n     int // entries, under mu
}

type lastWalker struct {
	key projKey
	w   *walker
}

// maxProjections bounds the cache: filters that change all the time make
// new projections; past the bound the cache starts again.
const maxProjections = 1024

type projKey struct {
	id         uint32
	projection string
}

// Project decodes into f the parts of a framed record that p names: the
// payload fields it lists (absent ones left absent) and, with p.Raw, the
// original envelope; the envelope fields (ID, Type, Source, ...) are
// skipped, and so is everything after the last part needed. It is
// several times cheaper than Unmarshal for a few fields. The raw envelope
// and the strings are not copied: they share value's memory, so value
// must not change while f is in use (a record fetched from Kafka never
// does: kafka-go reads each value into a slice of its own). Errors are
// those of Unmarshal: ErrBadFraming, ErrUndecodable, or a registry error
// that may pass on retry.
func (s *Serde) Project(ctx context.Context, value []byte, p Projection, f *Fields) error {
	id, data, err := Unframe(value)
	if err != nil {
		return err
	}
	w, err := s.projs.get(ctx, s.reg, id, p)
	if err != nil {
		return err
	}
	if err := w.decode(data, f); err != nil {
		return fmt.Errorf("schema: schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	return nil
}

func (c *projections) get(ctx context.Context, reg Registry, id uint32, p Projection) (*walker, error) {
	key := projKey{id: id, projection: p.key()}
	if l := c.last.Load(); l != nil && l.key == key {
		return l.w, nil
	}
	if v, ok := c.byKey.Load(key); ok {
		c.last.Store(&lastWalker{key: key, w: v.(*walker)})
		return v.(*walker), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.byKey.Load(key); ok {
		return v.(*walker), nil
	}
	text, err := reg.Schema(ctx, int(id))
	if err != nil {
		return nil, fmt.Errorf("schema: fetch schema id %d: %w", id, err)
	}
	writer, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("schema: parse schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	w, err := newWalker(writer, p)
	if err != nil {
		return nil, fmt.Errorf("schema: projection of schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	if c.n++; c.n > maxProjections {
		c.byKey.Clear()
		c.n = 1
	}
	c.byKey.Store(key, w)
	return w, nil
}
