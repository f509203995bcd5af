package schema

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/engagehub/engagehub/pkg/event"
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
		}
	}
	return b.String()
}

// projections maps (writer schema id, projection) to a reader that keeps
// only the projection's fields.
type projections struct {
	byKey sync.Map // projKey -> projector
	mu    sync.Mutex
	n     int // entries, under mu
}

// maxProjections bounds the cache: filters that change all the time make
// new projections; past the bound the cache starts again.
const maxProjections = 1024

type projKey struct {
	id         uint32
	projection string
}

// projector is one projection reader with its own codec configuration:
// hamba/avro caches decoders by a fingerprint that two resolutions of one
// writer schema share whatever fields they skip, so projections of one
// writer must not share a decoder cache (nor share Unmarshal's).
type projector struct {
	sch avro.Schema
	api avro.API
}

// Project decodes the parts of a framed record that p names: the returned
// event has only those payload fields (and Raw only with p.Raw); its
// envelope fields (ID, Type, Source, ...) are left empty. It is several
// times cheaper than Unmarshal for a few fields. Errors are those of
// Unmarshal: ErrBadFraming, ErrUndecodable, or a registry error that may
// pass on retry.
func (s *Serde) Project(ctx context.Context, value []byte, p Projection) (event.Event, error) {
	id, payload, err := Unframe(value)
	if err != nil {
		return event.Event{}, err
	}
	pr, err := s.projs.get(ctx, s.reg, id, p)
	if err != nil {
		return event.Event{}, err
	}
	var rec record
	if err := pr.api.Unmarshal(pr.sch, payload, &rec); err != nil {
		return event.Event{}, fmt.Errorf("schema: schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	dropNulls(rec.Payload)
	return event.Event{Payload: rec.Payload, Raw: []byte(rec.Raw)}, nil
}

func (c *projections) get(ctx context.Context, reg Registry, id uint32, p Projection) (projector, error) {
	key := projKey{id: id, projection: p.key()}
	if v, ok := c.byKey.Load(key); ok {
		return v.(projector), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.byKey.Load(key); ok {
		return v.(projector), nil
	}
	text, err := reg.Schema(ctx, int(id))
	if err != nil {
		return projector{}, fmt.Errorf("schema: fetch schema id %d: %w", id, err)
	}
	sch, err := projectionReader(text, p)
	if err != nil {
		return projector{}, fmt.Errorf("schema: projection reader for schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	pr := projector{sch: sch, api: newAPI()}
	if c.n++; c.n > maxProjections {
		c.byKey.Clear()
		c.n = 1
	}
	c.byKey.Store(key, pr)
	return pr, nil
}

// projectionReader resolves, against the writer schema text, a reader
// named as the writer's record with only p's fields of it.
func projectionReader(writerText string, p Projection) (avro.Schema, error) {
	writer, err := avro.ParseWithCache(writerText, "", &avro.SchemaCache{})
	if err != nil {
		return nil, err
	}
	rec, ok := writer.(*avro.RecordSchema)
	if !ok {
		return nil, fmt.Errorf("writer schema is a %s, not a record", writer.Type())
	}
	var fields []*avro.Field
	for _, f := range rec.Fields() {
		nf, keep, err := projectField(f, p)
		if err != nil {
			return nil, err
		}
		if keep {
			fields = append(fields, nf)
		}
	}
	reader, err := avro.NewRecordSchema(rec.Name(), rec.Namespace(), fields)
	if err != nil {
		return nil, err
	}
	return avro.NewSchemaCompatibility().Resolve(reader, writer)
}

// projectField returns the reader's version of writer field f, if p keeps it.
func projectField(f *avro.Field, p Projection) (*avro.Field, bool, error) {
	switch {
	case f.Name() == "raw" && p.Raw:
		nf, err := avro.NewField("raw", avro.NewPrimitiveSchema(avro.String, nil))
		return nf, true, err
	case f.Name() != "payload" || !p.AllPayload && len(p.Payload) == 0:
		return nil, false, nil
	case p.AllPayload:
		return f, true, nil
	}
	prec, ok := f.Type().(*avro.RecordSchema)
	if !ok {
		return nil, false, fmt.Errorf("payload is a %s, not a record", f.Type().Type())
	}
	var kept []*avro.Field
	for _, g := range prec.Fields() {
		if slices.Contains(p.Payload, g.Name()) {
			kept = append(kept, g)
		}
	}
	sub, err := avro.NewRecordSchema(prec.Name(), prec.Namespace(), kept)
	if err != nil {
		return nil, false, err
	}
	nf, err := avro.NewField("payload", sub)
	return nf, true, err
}
