package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
)

// receivedAt is fixed so that golden bytes are reproducible.
var receivedAt = time.Date(2024, 5, 14, 9, 21, 8, 123_000_000, time.UTC)

func mustLoad(t testing.TB) *Set {
	t.Helper()
	s, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func sampleEvent(t testing.TB, raw []byte) event.Event {
	t.Helper()
	env, err := event.Parse(raw)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	ev, err := event.New(env, event.SourceEngage, receivedAt)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return ev
}

// hasMap reports whether a type's payload holds an Avro map, whose entries
// hamba writes in Go's random map order: its bytes vary run to run.
func hasMap(t event.Type) bool {
	return t == event.ContactCreated || t == event.ContactUpdated
}

// TestGoldenRoundTrip encodes each catalog sample, compares it with the
// golden bytes of the current schema version, and decodes it back.
func TestGoldenRoundTrip(t *testing.T) {
	t.Parallel()
	set := mustLoad(t)
	for _, spec := range event.Catalog() {
		t.Run(string(spec.Type), func(t *testing.T) {
			t.Parallel()
			sch, ok := set.For(spec.Type)
			if !ok {
				t.Fatal("no schema")
			}
			ev := sampleEvent(t, spec.Example)
			got, err := Encode(sch, ev)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			golden := filepath.Join("testdata", "golden", string(spec.Type)+".avro")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !hasMap(spec.Type) && !bytes.Equal(got, want) {
				t.Fatalf("Avro bytes differ from %s", golden)
			}
			if len(got) != len(want) {
				t.Fatalf("Avro length %d, golden %d", len(got), len(want))
			}
			for _, data := range [][]byte{got, want} {
				back, err := Decode(sch, data)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				assertSameEvent(t, back, ev)
				if !bytes.Equal(ToJSON(back), spec.Example) {
					t.Fatal("ToJSON differs from the original envelope")
				}
			}
		})
	}
}

func assertSameEvent(t *testing.T, got, want event.Event) {
	t.Helper()
	if !bytes.Equal(got.Raw, want.Raw) {
		t.Fatalf("Raw = %s, want %s", got.Raw, want.Raw)
	}
	if !got.ReceivedAt.Equal(want.ReceivedAt) {
		t.Errorf("ReceivedAt = %v, want %v", got.ReceivedAt, want.ReceivedAt)
	}
	got.Raw, want.Raw = nil, nil
	got.ReceivedAt, want.ReceivedAt = time.Time{}, time.Time{}
	gp, wp := got.Payload, want.Payload
	got.Payload, want.Payload = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("event = %+v, want %+v", got, want)
	}
	if len(gp) != len(wp) {
		t.Errorf("payload = %#v, want %#v", gp, wp)
	}
	for k, w := range wp {
		if !sameValue(gp[k], w) {
			t.Errorf("payload.%s = %#v (%T), want %#v (%T)", k, gp[k], gp[k], w, w)
		}
	}
}

func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return reflect.DeepEqual(a, b)
}

func TestUntypedEventsRoundTripThroughTheEnvelope(t *testing.T) {
	t.Parallel()
	set := mustLoad(t)
	for _, name := range []string{"unknown-type.json", "encrypted.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join("..", "event", "testdata", "variants", name))
			if err != nil {
				t.Fatal(err)
			}
			ev := sampleEvent(t, raw)
			data, err := Encode(set.Envelope(), ev)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			back, err := Decode(set.Envelope(), data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			assertSameEvent(t, back, ev)
		})
	}
}

func TestEncodeRejectsAPayloadMissingARequiredField(t *testing.T) {
	t.Parallel()
	set := mustLoad(t)
	sch, _ := set.For(event.PointBalanceUpdated)
	ev := event.Event{Type: event.PointBalanceUpdated, Payload: map[string]any{"contactId": "c"}}
	if _, err := Encode(sch, ev); err == nil {
		t.Fatal("Encode succeeded without balance")
	}
}
