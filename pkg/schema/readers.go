package schema

import (
	"context"
	"fmt"
	"sync"

	"github.com/hamba/avro/v2"
)

// readerCache maps a writer's schema id to the schema to decode with: our
// schema when the writer's is the same, else the resolution of ours
// against the writer's. Hits are lock-free; misses ask the registry once
// per id, serialised by mu.
type readerCache struct {
	reg Registry
	set *Set

	byID sync.Map // uint32 -> avro.Schema
	mu   sync.Mutex
}

func (c *readerCache) init(reg Registry, set *Set) {
	c.reg, c.set = reg, set
}

// seed records that id is exactly our schema sch.
func (c *readerCache) seed(id uint32, sch avro.Schema) {
	c.byID.Store(id, sch)
}

func (c *readerCache) get(ctx context.Context, id uint32) (avro.Schema, error) {
	if v, ok := c.byID.Load(id); ok {
		return v.(avro.Schema), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.byID.Load(id); ok {
		return v.(avro.Schema), nil
	}
	sch, err := c.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	c.byID.Store(id, sch)
	return sch, nil
}

// resolve fetches writer schema id and returns the schema that reads it.
func (c *readerCache) resolve(ctx context.Context, id uint32) (avro.Schema, error) {
	text, err := c.reg.Schema(ctx, int(id))
	if err != nil {
		return nil, fmt.Errorf("schema: fetch schema id %d: %w", id, err)
	}
	writer, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("schema: parse schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	return readerFor(c.set, writer, id)
}

// readerFor pairs a writer schema with our schema of the same record name.
// A writer we have no schema for is read as written.
func readerFor(set *Set, writer avro.Schema, id uint32) (avro.Schema, error) {
	reader, ok := set.byFullName(fullName(writer))
	if !ok {
		return writer, nil
	}
	if reader.Fingerprint() == writer.Fingerprint() {
		return reader, nil
	}
	resolved, err := avro.NewSchemaCompatibility().Resolve(reader, writer)
	if err != nil {
		return nil, fmt.Errorf("schema: resolve schema id %d against %s: %w: %w", id, fullName(reader), ErrUndecodable, err)
	}
	return resolved, nil
}
