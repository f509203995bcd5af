package schema

import (
	"context"
	"fmt"
	"sync"

	"github.com/hamba/avro/v2"
)

// rawRecord is what Raw decodes: the original envelope and nothing else.
type rawRecord struct {
	Raw string `avro:"raw"`
}

// rawReaders maps a writer's schema id to a reader that keeps only the
// `raw` field and skips every other one without building it.
type rawReaders struct {
	reg  Registry
	byID sync.Map // uint32 -> avro.Schema
	mu   sync.Mutex
}

// Raw returns the original envelope JSON of a framed record — a webhook's
// body — skipping the typed fields instead of decoding them, which makes it
// several times cheaper than Unmarshal. Errors are those of Unmarshal:
// ErrBadFraming, ErrUndecodable, or a registry error that may pass on retry.
func (s *Serde) Raw(ctx context.Context, value []byte) ([]byte, error) {
	id, payload, err := Unframe(value)
	if err != nil {
		return nil, err
	}
	sch, err := s.raws.get(ctx, s.reg, id)
	if err != nil {
		return nil, err
	}
	var rec rawRecord
	if err := api.Unmarshal(sch, payload, &rec); err != nil {
		return nil, fmt.Errorf("schema: schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	return []byte(rec.Raw), nil
}

func (c *rawReaders) get(ctx context.Context, reg Registry, id uint32) (avro.Schema, error) {
	if v, ok := c.byID.Load(id); ok {
		return v.(avro.Schema), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.byID.Load(id); ok {
		return v.(avro.Schema), nil
	}
	text, err := reg.Schema(ctx, int(id))
	if err != nil {
		return nil, fmt.Errorf("schema: fetch schema id %d: %w", id, err)
	}
	sch, err := rawReader(text)
	if err != nil {
		return nil, fmt.Errorf("schema: raw reader for schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	c.byID.Store(id, sch)
	return sch, nil
}

// rawReader resolves a one-field reader {raw: string}, named as the writer's
// record, against the writer schema text.
func rawReader(writerText string) (avro.Schema, error) {
	writer, err := avro.ParseWithCache(writerText, "", &avro.SchemaCache{})
	if err != nil {
		return nil, err
	}
	rec, ok := writer.(*avro.RecordSchema)
	if !ok {
		return nil, fmt.Errorf("writer schema is a %s, not a record", writer.Type())
	}
	raw, err := avro.NewField("raw", avro.NewPrimitiveSchema(avro.String, nil))
	if err != nil {
		return nil, err
	}
	reader, err := avro.NewRecordSchema(rec.Name(), rec.Namespace(), []*avro.Field{raw})
	if err != nil {
		return nil, err
	}
	return avro.NewSchemaCompatibility().Resolve(reader, writer)
}
