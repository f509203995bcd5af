package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Record is one key/value pair of a MemoryLog.
type Record struct {
	Key, Value []byte
}

// MemoryLog is a Log kept in memory, for tests and for single-process
// experiments; it is not durable. The zero value is ready to use.
type MemoryLog struct {
	mu      sync.Mutex
	records []Record
}

// Append implements Log. It copies key and value.
func (l *MemoryLog) Append(ctx context.Context, key, value []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("registry: memory log append: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, Record{Key: slices.Clone(key), Value: slices.Clone(value)})
	return nil
}

// Records returns a copy of every record appended, in order.
func (l *MemoryLog) Records() []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.records)
}

// Compacted returns the records Kafka compaction could leave: only the last
// record of each key, in the order of those last records.
func (l *MemoryLog) Compacted() []Record {
	records := l.Records()
	last := map[string]int{}
	for i, r := range records {
		last[string(r.Key)] = i
	}
	var out []Record
	for i, r := range records {
		if last[string(r.Key)] == i {
			out = append(out, r)
		}
	}
	return out
}

// Replay applies records in order and returns every error Apply reported.
func Replay(reg *Registry, records []Record) error {
	var errs []error
	for _, r := range records {
		if err := reg.Apply(r.Key, r.Value); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
