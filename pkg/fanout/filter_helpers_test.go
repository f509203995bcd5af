package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/producer"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

// newSerde returns a prepared serde for topics under prefix, over an
// in-process registry.
func newSerde(tb testing.TB, prefix string) *schema.Serde {
	tb.Helper()
	set, err := schema.Load()
	if err != nil {
		tb.Fatal(err)
	}
	s := schema.NewSerde(registry.InProcess{Registry: registry.New(&registry.MemoryLog{})}, set, prefix)
	if err := s.Prepare(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

// serdeDecoder marks the serde's permanent errors as cmd does.
type serdeDecoder struct {
	serde *schema.Serde
	mu    sync.Mutex
	n     int
	last  schema.Projection
}

func (d *serdeDecoder) Project(ctx context.Context, value []byte, p schema.Projection, f *schema.Fields) error {
	d.mu.Lock()
	d.n++
	d.last = p
	d.mu.Unlock()
	err := d.serde.Project(ctx, value, p, f)
	if errors.Is(err, schema.ErrUndecodable) {
		return fmt.Errorf("%w: %w", ErrUndecodable, err)
	}
	return err
}

func (d *serdeDecoder) count() int { d.mu.Lock(); defer d.mu.Unlock(); return d.n }

// balanceEvent is a point.balance.updated event with the given balance
// and an unknown payload field storeId.
func balanceEvent(tb testing.TB, id, contact string, balance float64, store string) event.Event {
	tb.Helper()
	raw, _ := json.Marshal(map[string]any{"id": id, "eventType": "point.balance.updated", "payload": map[string]any{
		"balance": balance, "contactId": contact, "accountId": 7, "definitionId": "2", "storeId": store}})
	env, err := event.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	ev, err := event.New(env, "engage", time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

// records encodes evs as ingest writes them.
func records(tb testing.TB, s *schema.Serde, evs ...event.Event) []kafka.Message {
	tb.Helper()
	out := make([]kafka.Message, len(evs))
	for i, ev := range evs {
		topic, value, err := s.Marshal(ev)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = kafka.Message{Topic: topic, Key: []byte(ev.ContactID), Value: value, Headers: producer.Headers(ev), Offset: int64(i)}
	}
	return out
}

// memSink records every write.
type memSink struct {
	mu      sync.Mutex
	written []kafka.Message
}

func (s *memSink) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		m.Headers = slices.Clone(m.Headers)
		s.written = append(s.written, m)
	}
	return nil
}

// byTopic returns the event ids written to each topic, in order.
func (s *memSink) byTopic() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for _, m := range s.written {
		out[m.Topic] = append(out[m.Topic], headerOf(m, event.HeaderEventID))
	}
	return out
}

// memTopics records the topics created.
type memTopics struct {
	mu      sync.Mutex
	created []string
}

func (c *memTopics) EnsureTopics(_ context.Context, specs ...kafka.TopicSpec) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range specs {
		c.created = append(c.created, s.Name)
	}
	return nil
}

// contactUpdate is a contact.updated event of a Member with a few
// attributes and an unknown field, about 400 bytes of JSON.
func contactUpdate(tb testing.TB, id, contact string) event.Event {
	tb.Helper()
	raw, _ := json.Marshal(map[string]any{"id": id, "eventType": "contact.updated", "tenant": "acmeretail", "isEncrypted": false,
		"payload": map[string]any{"contactId": contact, "contactType": "Member",
			"attributes":        map[string]any{"firstName": "Åsa", "lastName": "Lindqvist", "email": "asa.lindqvist@example.com", "zipCode": "41301", "bonusLevel": 2},
			"changedAttributes": []string{"lastName", "zipCode"}}})
	env, err := event.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	ev, err := event.New(env, "engage", time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

// modes are the two ways a batch's filters are decided: ahead, by the
// fetching goroutine (as Run does), or by the writer (after a retry, or
// when the snapshot changed in between).
var modes = []struct {
	name  string
	ahead bool
}{{"decided ahead", true}, {"decided by the writer", false}}

func writeBatch(f *Fanout, batch []kafka.Message, decideAhead bool) (map[string]outcomes, error) {
	ctx := context.Background()
	var a *ahead
	types := f.typesOf(batch)
	if decideAhead {
		a = f.decideAhead(ctx, batch, types)
	}
	return f.write(ctx, batch, types, a)
}

// typesOf reads batch's event types (see collect).
func (f *Fanout) typesOf(batch []kafka.Message) []event.Type {
	types := make([]event.Type, len(batch))
	for i := range batch {
		types[i] = f.eventType(&batch[i])
	}
	return types
}
