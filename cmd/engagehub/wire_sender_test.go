package main

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
	"github.com/engagehub/engagehub/pkg/subscription"
)

func TestBodyDecoderMarksOnlyPermanentFailures(t *testing.T) {
	ctx := context.Background()
	set, err := schema.Load()
	if err != nil {
		t.Fatal(err)
	}
	serde := schema.NewSerde(registry.InProcess{Registry: registry.New(&registry.MemoryLog{})}, set, "engage.")
	if err := serde.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	spec, _ := event.Lookup(event.ContactDeleted)
	env, _ := event.Parse(spec.Example)
	ev, _ := event.New(env, "test", time.Now())
	_, value, err := serde.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	d := bodyDecoder{serde}

	body, err := d.Body(ctx, value)
	if err != nil || string(body) != string(ev.Raw) {
		t.Fatalf("Body = %q, %v; want the original envelope", body, err)
	}
	garbled := append(append([]byte(nil), value[:5]...), 0xff, 0xff, 0xff)
	unknownID := append([]byte{0, 0, 0, 0x7f, 0x7f}, value[5:]...)
	for name, v := range map[string][]byte{"bad framing": {1, 2}, "garbled avro": garbled, "unknown schema id": unknownID} {
		if _, err := d.Body(ctx, v); !errors.Is(err, delivery.ErrUndecodable) && !errors.Is(err, schema.ErrBadFraming) {
			t.Errorf("%s: err = %v, want it marked permanent", name, err)
		}
	}
}

func TestEndpointCarriesTheSubscriptionsOverrides(t *testing.T) {
	sub, err := subscription.Decode([]byte(`{"id":"o","eventTypes":["*"],"maxInFlight":3,"retrySchedule":["0s","1m"],
		"destination":{"type":"webhook","url":"https://x.example","timeout":"2s","pipelining":4}}`))
	if err != nil {
		t.Fatal(err)
	}
	ep, ok := endpoint(&sub, time.Now(), nil)
	if !ok || ep.MaxInFlight != 3 || ep.Timeout != 2*time.Second || ep.Pipelining != 4 || !slices.Equal(ep.RetrySchedule, []time.Duration{0, time.Minute}) {
		t.Fatalf("endpoint = %+v", ep)
	}
	plain, _ := subscription.Decode([]byte(`{"id":"p","eventTypes":["*"],"destination":{"type":"webhook","url":"https://x.example"}}`))
	ep, _ = endpoint(&plain, time.Now(), nil)
	if ep.MaxInFlight != 0 || ep.Timeout != 0 || ep.Pipelining != 0 || ep.RetrySchedule != nil {
		t.Fatalf("without overrides endpoint = %+v, want zero values (the sender's defaults)", ep)
	}
}
