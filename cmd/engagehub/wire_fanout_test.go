package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/fanout"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

func TestEventDecoderMarksOnlyPermanentFailures(t *testing.T) {
	ctx := context.Background()
	set, err := schema.Load()
	if err != nil {
		t.Fatal(err)
	}
	serde := schema.NewSerde(registry.InProcess{Registry: registry.New(&registry.MemoryLog{})}, set, "engage.")
	if err := serde.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	spec, _ := event.Lookup(event.PointBalanceUpdated)
	env, _ := event.Parse(spec.Example)
	ev, _ := event.New(env, "test", time.Now())
	_, value, err := serde.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	d := eventDecoder{serde}
	p := schema.NewProjection([]string{"balance"}, false, true)
	var got schema.Fields
	err = d.Project(ctx, value, p, &got)
	if balance, _ := got.Str("balance"); err != nil || balance != "1250.5" || string(got.Raw()) != string(ev.Raw) {
		t.Fatalf("Project = %v, %q, %v", got.Map(), got.Raw(), err)
	}
	garbled := append(append([]byte(nil), value[:5]...), 0xff, 0xff, 0xff)
	unknownID := append([]byte{0, 0, 0, 0x7f, 0x7f}, value[5:]...)
	for name, v := range map[string][]byte{"bad framing": {1, 2}, "garbled avro": garbled, "unknown schema id": unknownID} {
		if err := d.Project(ctx, v, p, &got); !errors.Is(err, fanout.ErrUndecodable) && !errors.Is(err, schema.ErrBadFraming) {
			t.Errorf("%s: err = %v, want it marked permanent", name, err)
		}
	}
}
