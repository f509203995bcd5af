package schema

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
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

// TestProjectAgreesWithUnmarshalOnDamagedRecords walks every catalog
// type's record cut short at every length and with bytes changed at
// random: Project never panics, fails on every cut (the raw envelope is
// the last field), and whenever both decode a damaged record, it reads
// what Unmarshal reads. (They need not fail alike: Unmarshal resolves the
// writer against the current schema, and the codec skips what it does
// not read with looser bounds than it reads.)
func TestProjectAgreesWithUnmarshalOnDamagedRecords(t *testing.T) {
	t.Parallel()
	s, _ := preparedSerde(t)
	ctx := context.Background()
	all := Projection{AllPayload: true, Raw: true}
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, spec := range event.Catalog() {
		_, value, err := s.Marshal(sampleEvent(t, spec.Example))
		if err != nil {
			t.Fatal(err)
		}
		for n := 5; n < len(value); n++ {
			if _, err := s.Project(ctx, value[:n], all, nil); !errors.Is(err, ErrUndecodable) {
				t.Fatalf("%s cut to %d of %d bytes: err = %v, want ErrUndecodable", spec.Type, n, len(value), err)
			}
		}
		for range 300 {
			damaged := slices.Clone(value)
			for range 1 + rnd.IntN(3) {
				damaged[5+rnd.IntN(len(damaged)-5)] = byte(rnd.IntN(256))
			}
			got, perr := s.Project(ctx, damaged, all, nil)
			want, uerr := s.Unmarshal(ctx, damaged)
			if perr == nil && uerr == nil && (!reflect.DeepEqual(got.Payload, want.Payload) || string(got.Raw) != string(want.Raw)) {
				t.Fatalf("%s damaged %x: Project read %v, Unmarshal %v", spec.Type, damaged, got.Payload, want.Payload)
			}
		}
	}
}
