package schema

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

func TestProjectDecodesOnlyWhatItIsAskedFor(t *testing.T) {
	t.Parallel()
	s, _ := preparedSerde(t)
	ctx := context.Background()
	for _, spec := range event.Catalog() {
		t.Run(string(spec.Type), func(t *testing.T) {
			ev := sampleEvent(t, spec.Example)
			_, value, err := s.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			full, err := s.Unmarshal(ctx, value)
			if err != nil {
				t.Fatal(err)
			}
			all, err := s.Project(ctx, value, Projection{AllPayload: true}, nil)
			if err != nil || !reflect.DeepEqual(all.Payload, full.Payload) || all.Raw != nil && len(all.Raw) != 0 {
				t.Fatalf("AllPayload = %v (raw %q), %v; want the payload %v and no raw", all.Payload, all.Raw, err, full.Payload)
			}
			some := slices.Sorted(maps.Keys(full.Payload))[:1]
			some = append(some, "notAField")
			one, err := s.Project(ctx, value, Projection{Payload: some, Raw: true}, nil)
			if err != nil || len(one.Payload) != 1 || !reflect.DeepEqual(one.Payload[some[0]], full.Payload[some[0]]) || string(one.Raw) != string(ev.Raw) {
				t.Fatalf("Project(%v, raw) = %v (raw %d bytes), %v", some, one.Payload, len(one.Raw), err)
			}
			raw, err := s.Project(ctx, value, Projection{Raw: true}, nil)
			if err != nil || len(raw.Payload) != 0 || string(raw.Raw) != string(ev.Raw) {
				t.Fatalf("Project(raw) = %v, %q, %v", raw.Payload, raw.Raw, err)
			}
		})
	}
}

func TestProjectReadsUnrecognizedEventsAndRefusesBadFraming(t *testing.T) {
	t.Parallel()
	s, _ := preparedSerde(t)
	ctx := context.Background()
	ev := sampleEvent(t, []byte(`{"id":"u1","eventType":"custom.thing","payload":{"contactId":"c1","x":1}}`))
	_, value, err := s.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Project(ctx, value, Projection{AllPayload: true, Raw: true}, nil)
	if err != nil || len(got.Payload) != 0 || string(got.Raw) != string(ev.Raw) {
		t.Fatalf("Project = %v, %q, %v", got.Payload, got.Raw, err)
	}
	if _, err := s.Project(ctx, []byte("x"), Projection{Raw: true}, nil); !errors.Is(err, ErrBadFraming) {
		t.Fatalf("bad framing: %v", err)
	}
}

func TestProjectRefusesTruncatedAndGarbledRecords(t *testing.T) {
	t.Parallel()
	s, _ := preparedSerde(t)
	spec, _ := event.Lookup(event.PointBalanceUpdated)
	_, value, err := s.Marshal(sampleEvent(t, spec.Example))
	if err != nil {
		t.Fatal(err)
	}
	p := NewProjection([]string{"balance"}, false, true)
	for name, v := range map[string][]byte{
		"truncated": value[:len(value)/2],
		"garbled":   append(append([]byte(nil), value[:5]...), 0xff, 0xff, 0xff),
	} {
		if _, err := s.Project(context.Background(), v, p, nil); !errors.Is(err, ErrUndecodable) {
			t.Errorf("%s: err = %v, want ErrUndecodable", name, err)
		}
	}
}

// A map field projected at some keys holds only those of its entries,
// and a payload map passed in is reused (cleared) from record to record.
func TestProjectDecodesOnlyTheEntriesAskedForIntoTheMapsItIsGiven(t *testing.T) {
	t.Parallel()
	s, _ := preparedSerde(t)
	ctx := context.Background()
	spec, _ := event.Lookup(event.ContactUpdated)
	ev := sampleEvent(t, spec.Example)
	_, value, err := s.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	attrs := ev.Payload["attributes"].(map[string]string)
	key := slices.Sorted(maps.Keys(attrs))[0]
	p := NewProjection([]string{"attributes"}, false, false).WithEntries(map[string][]string{"attributes": {key, "notAKey"}})
	scratch := map[string]any{"stale": true}
	got, err := s.Project(ctx, value, p, scratch)
	if err != nil || !reflect.DeepEqual(got.Payload, map[string]any{"attributes": map[string]string{key: attrs[key]}}) {
		t.Fatalf("Project(entries %s) = %v, %v; want only that entry of %v", key, got.Payload, err, attrs)
	}
	if reflect.ValueOf(got.Payload).Pointer() != reflect.ValueOf(scratch).Pointer() {
		t.Error("the payload map given was not the one filled")
	}
	if NewProjection([]string{"attributes"}, false, false).Key() == p.Key() {
		t.Error("a projection of entries has the key of the whole field")
	}
}
