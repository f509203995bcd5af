package producer

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
)

// memRegistry is an in-memory schema.Registry.
type memRegistry struct {
	mu    sync.Mutex
	ids   map[string]int
	texts map[int]string
}

func (m *memRegistry) Register(_ context.Context, _, text string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids == nil {
		m.ids, m.texts = map[string]int{}, map[int]string{}
	}
	id, ok := m.ids[text]
	if !ok {
		id = len(m.ids) + 1
		m.ids[text], m.texts[id] = id, text
	}
	return id, nil
}

func (m *memRegistry) Schema(_ context.Context, id int) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.texts[id]; ok {
		return t, nil
	}
	return "", errors.New("no such schema")
}

func newSerde(t testing.TB) *schema.Serde {
	t.Helper()
	set, err := schema.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := schema.NewSerde(&memRegistry{}, set, "engage.")
	if err := s.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// recordingSink keeps every message written, or fails with err.
type recordingSink struct {
	mu    sync.Mutex
	msgs  []kafka.Message
	calls int
	err   error
}

func (s *recordingSink) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return s.err
	}
	s.msgs = append(s.msgs, msgs...)
	return nil
}

func header(m kafka.Message, key string) (string, bool) {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}
