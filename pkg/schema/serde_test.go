package schema

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

// fakeRegistry is an in-memory registry that counts lookups by id.
type fakeRegistry struct {
	mu       sync.Mutex
	ids      map[string]int // schema text -> id
	texts    map[int]string
	subjects map[string]int
	lookups  atomic.Int64
	fail     error
}

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{ids: map[string]int{}, texts: map[int]string{}, subjects: map[string]int{}}
}

func (f *fakeRegistry) Register(_ context.Context, subject, schema string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return 0, f.fail
	}
	id, ok := f.ids[schema]
	if !ok {
		id = len(f.ids) + 1
		f.ids[schema], f.texts[id] = id, schema
	}
	f.subjects[subject] = id
	return id, nil
}

func (f *fakeRegistry) Schema(_ context.Context, id int) (string, error) {
	f.lookups.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	text, ok := f.texts[id]
	if !ok {
		return "", errors.New("fake: no such schema")
	}
	return text, nil
}

func preparedSerde(t testing.TB) (*Serde, *fakeRegistry) {
	t.Helper()
	reg := newFakeRegistry()
	s := NewSerde(reg, mustLoad(t), "engage.")
	if err := s.Prepare(context.Background()); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return s, reg
}

func TestPrepareRegistersTwelveSubjects(t *testing.T) {
	t.Parallel()
	_, reg := preparedSerde(t)
	if len(reg.subjects) != 12 {
		t.Fatalf("subjects = %v", reg.subjects)
	}
	for _, want := range []string{"engage.point.balance.updated-value", "engage._unrecognized-value", "engage.contact.acceptsEmail.changed-value"} {
		if _, ok := reg.subjects[want]; !ok {
			t.Errorf("subject %s not registered", want)
		}
	}
}

func TestMarshalBeforePrepareFails(t *testing.T) {
	t.Parallel()
	reg := newFakeRegistry()
	reg.fail = errors.New("registry down")
	s := NewSerde(reg, mustLoad(t), "engage.")
	if err := s.Prepare(context.Background()); err == nil || !strings.Contains(err.Error(), "registry down") {
		t.Fatalf("Prepare = %v, want the registry's error", err)
	}
	if _, _, err := s.Marshal(event.Event{Type: event.ContactDeleted}); !errors.Is(err, ErrNotPrepared) {
		t.Fatalf("Marshal = %v, want ErrNotPrepared", err)
	}
}

func TestMarshalRoutesByTypeAndUnmarshalRestoresTheEvent(t *testing.T) {
	t.Parallel()
	s, reg := preparedSerde(t)
	cases := map[string][]byte{}
	for _, spec := range event.Catalog() {
		cases[string(spec.Type)] = spec.Example
	}
	cases["unknown"] = []byte(`{"id":"u1","eventType":"order.created","payload":{"contactId":"c1","x":[1]}}`)
	cases["encrypted"] = []byte(`{"id":"e1","eventType":"contact.created","isEncrypted":true,"payload":"b64=="}`)
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ev := sampleEvent(t, raw)
			topic, value, err := s.Marshal(ev)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			want := event.Topic("engage.", ev.Type)
			if !ev.Typed() {
				want = event.UnrecognizedTopic("engage.")
			}
			if topic != want {
				t.Fatalf("topic = %s, want %s", topic, want)
			}
			id, _, err := Unframe(value)
			if err != nil || int(id) != reg.subjects[Subject(topic)] {
				t.Fatalf("schema id = %d (%v), want %d", id, err, reg.subjects[Subject(topic)])
			}
			back, err := s.Unmarshal(context.Background(), value)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			assertSameEvent(t, back, ev)
		})
	}
	if n := reg.lookups.Load(); n != 0 {
		t.Fatalf("registry asked %d times for schemas Prepare registered", n)
	}
}

func TestUnmarshalRejectsUnknownIDsAndBadFraming(t *testing.T) {
	t.Parallel()
	s, _ := preparedSerde(t)
	if _, err := s.Unmarshal(context.Background(), []byte{1, 2}); !errors.Is(err, ErrBadFraming) {
		t.Fatalf("Unmarshal(bad framing) = %v", err)
	}
	if _, err := s.Unmarshal(context.Background(), Frame(999, []byte{0})); err == nil {
		t.Fatal("Unmarshal(unknown id) succeeded")
	}
	if _, err := s.Unmarshal(context.Background(), Frame(1, []byte{0xff})); err == nil {
		t.Fatal("Unmarshal(truncated avro) succeeded")
	}
}
