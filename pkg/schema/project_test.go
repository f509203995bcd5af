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
			all, err := project(s, ctx, value, Projection{AllPayload: true})
			if err != nil || !reflect.DeepEqual(all.Payload, full.Payload) || all.Raw != nil && len(all.Raw) != 0 {
				t.Fatalf("AllPayload = %v (raw %q), %v; want the payload %v and no raw", all.Payload, all.Raw, err, full.Payload)
			}
			some := slices.Sorted(maps.Keys(full.Payload))[:1]
			some = append(some, "notAField")
			one, err := project(s, ctx, value, Projection{Payload: some, Raw: true})
			if err != nil || len(one.Payload) != 1 || !reflect.DeepEqual(one.Payload[some[0]], full.Payload[some[0]]) || string(one.Raw) != string(ev.Raw) {
				t.Fatalf("Project(%v, raw) = %v (raw %d bytes), %v", some, one.Payload, len(one.Raw), err)
			}
			raw, err := project(s, ctx, value, Projection{Raw: true})
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
	got, err := project(s, ctx, value, Projection{AllPayload: true, Raw: true})
	if err != nil || len(got.Payload) != 0 || string(got.Raw) != string(ev.Raw) {
		t.Fatalf("Project = %v, %q, %v", got.Payload, got.Raw, err)
	}
	if _, err := project(s, ctx, []byte("x"), Projection{Raw: true}); !errors.Is(err, ErrBadFraming) {
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
		if _, err := project(s, context.Background(), v, p); !errors.Is(err, ErrUndecodable) {
			t.Errorf("%s: err = %v, want ErrUndecodable", name, err)
		}
	}
}

// A map field projected at some keys holds only those of its entries,
// and a Fields reused from record to record reuses its maps of entries.
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
	var f Fields
	var first map[string]string
	for i := range 2 { // the second time into the map of the first
		err := s.Project(ctx, value, p, &f)
		if got := f.Map(); err != nil || !reflect.DeepEqual(got, map[string]any{"attributes": map[string]string{key: attrs[key]}}) {
			t.Fatalf("Project(entries %s) = %v, %v; want only that entry of %v", key, got, err, attrs)
		}
		m, _ := f.Entries("attributes")
		if i == 0 {
			first = m
		} else if reflect.ValueOf(m).Pointer() != reflect.ValueOf(first).Pointer() {
			t.Error("the map of entries was not reused")
		}
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
			if _, err := project(s, ctx, value[:n], all); !errors.Is(err, ErrUndecodable) {
				t.Fatalf("%s cut to %d of %d bytes: err = %v, want ErrUndecodable", spec.Type, n, len(value), err)
			}
		}
		for range 300 {
			damaged := slices.Clone(value)
			for range 1 + rnd.IntN(3) {
				damaged[5+rnd.IntN(len(damaged)-5)] = byte(rnd.IntN(256))
			}
			got, perr := project(s, ctx, damaged, all)
			want, uerr := s.Unmarshal(ctx, damaged)
			if perr == nil && uerr == nil && (!reflect.DeepEqual(got.Payload, want.Payload) || string(got.Raw) != string(want.Raw)) {
				t.Fatalf("%s damaged %x: Project read %v, Unmarshal %v", spec.Type, damaged, got.Payload, want.Payload)
			}
		}
	}
}

// project is Project into a Fields of its own, as an event.
func project(s *Serde, ctx context.Context, value []byte, p Projection) (event.Event, error) {
	var f Fields
	if err := s.Project(ctx, value, p, &f); err != nil {
		return event.Event{}, err
	}
	return event.Event{Payload: f.Map(), Raw: f.Raw()}, nil
}
