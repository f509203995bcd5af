package schema

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/hamba/avro/v2"

	"github.com/engagehub/engagehub/pkg/event"
)

// ErrNotPrepared is returned by Marshal before Prepare succeeded.
var ErrNotPrepared = errors.New("schema: serde not prepared")

// Serde encodes events to framed Kafka values and back, with schema ids
// from a registry. Marshal and Unmarshal are safe for concurrent use and
// take no lock once the schemas they need are known.
type Serde struct {
	reg    Registry
	set    *Set
	prefix string

	writers atomic.Pointer[writerTable] // replaced whole by Prepare
	readers readerCache
	projs   projections
}

// writerTable is where Marshal sends each type; immutable once published.
type writerTable struct {
	types        map[event.Type]target
	unrecognized target
}

type target struct {
	topic  string
	id     uint32
	schema avro.Schema
}

// NewSerde returns a Serde for topics named topicPrefix + event type (e.g.
// "engage."). Call Prepare before Marshal.
func NewSerde(reg Registry, set *Set, topicPrefix string) *Serde {
	s := &Serde{reg: reg, set: set, prefix: topicPrefix}
	s.readers.init(reg, set)
	return s
}

// Prepare registers every schema of the set under its topic's subject —
// the 11 catalog topics and the unrecognized topic — and caches the ids.
// It may be called again, e.g. to retry after a registry outage; errors
// from the registry are returned wrapped, and are retriable when the
// registry's are.
func (s *Serde) Prepare(ctx context.Context) error {
	table := &writerTable{types: make(map[event.Type]target, len(s.set.types))}
	for t, e := range s.set.types {
		tg, err := s.register(ctx, event.Topic(s.prefix, t), e)
		if err != nil {
			return err
		}
		table.types[t] = tg
	}
	tg, err := s.register(ctx, event.UnrecognizedTopic(s.prefix), s.set.envelope)
	if err != nil {
		return err
	}
	table.unrecognized = tg
	s.writers.Store(table)
	return nil
}

func (s *Serde) register(ctx context.Context, topic string, e entry) (target, error) {
	subject := Subject(topic)
	id, err := s.reg.Register(ctx, subject, e.text)
	if err != nil {
		return target{}, fmt.Errorf("schema: register %s: %w", subject, err)
	}
	if id < 0 || id > math.MaxUint32 {
		return target{}, fmt.Errorf("schema: register %s: id %d out of range", subject, id)
	}
	s.readers.seed(uint32(id), e.schema)
	return target{topic: topic, id: uint32(id), schema: e.schema}, nil
}

// Marshal returns the topic and the framed Avro value of ev. A typed event
// of the catalog goes to its type's topic; any other event (unknown type,
// encrypted payload) goes to the unrecognized topic in the envelope schema.
func (s *Serde) Marshal(ev event.Event) (topic string, value []byte, err error) {
	table := s.writers.Load()
	if table == nil {
		return "", nil, ErrNotPrepared
	}
	tg := table.unrecognized
	if ev.Typed() {
		tg = table.types[ev.Type]
	}
	value, err = encodeFramed(tg, ev)
	if err != nil {
		return "", nil, err
	}
	return tg.topic, value, nil
}

// writerPool recycles Avro write buffers between Marshal calls.
var writerPool = sync.Pool{New: func() any {
	return avro.NewWriter(nil, 1024, avro.WithWriterConfig(api))
}}

// maxPooledBuffer keeps one huge event from pinning memory in the pool.
const maxPooledBuffer = 64 << 10

func encodeFramed(tg target, ev event.Event) ([]byte, error) {
	w := writerPool.Get().(*avro.Writer)
	w.Reset(nil)
	w.Error = nil
	var header [headerSize]byte
	header[0] = magicByte
	header[1], header[2], header[3], header[4] = byte(tg.id>>24), byte(tg.id>>16), byte(tg.id>>8), byte(tg.id)
	_, _ = w.Write(header[:])
	rec := toRecord(ev)
	w.WriteVal(tg.schema, &rec)
	if w.Error != nil {
		err := w.Error
		writerPool.Put(w)
		return nil, fmt.Errorf("schema: encode %s: %w", ev.Type, err)
	}
	out := append([]byte(nil), w.Buffer()...)
	if cap(w.Buffer()) <= maxPooledBuffer {
		writerPool.Put(w)
	}
	return out, nil
}

// Unmarshal decodes a framed value written with any schema the registry
// knows. When the writer schema is an older (or newer) version of our
// schema for the type, the record is read through avro's schema
// resolution, so readers always see the current shape. Registry errors are
// returned wrapped (retriable when the registry's are); ErrBadFraming and
// decode errors are not retriable.
func (s *Serde) Unmarshal(ctx context.Context, value []byte) (event.Event, error) {
	id, payload, err := Unframe(value)
	if err != nil {
		return event.Event{}, err
	}
	sch, err := s.readers.get(ctx, id)
	if err != nil {
		return event.Event{}, err
	}
	ev, err := Decode(sch, payload)
	if err != nil {
		return event.Event{}, fmt.Errorf("schema: schema id %d: %w: %w", id, ErrUndecodable, err)
	}
	return ev, nil
}
