package producer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

var fixedNow = time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)

func sample(t *testing.T, typ event.Type) []byte {
	t.Helper()
	spec, ok := event.Lookup(typ)
	if !ok {
		t.Fatalf("no spec %s", typ)
	}
	return spec.Example
}

func TestPublishWritesKeyHeadersAndFramedAvro(t *testing.T) {
	t.Parallel()
	serde := newSerde(t)
	sink := &kafkatest.RecordingSink{}
	p := New(serde, sink, WithClock(func() time.Time { return fixedNow }))
	raw := sample(t, event.PointBalanceUpdated)
	if err := p.PublishJSON(context.Background(), "billing", raw); err != nil {
		t.Fatal(err)
	}
	calls, msgs := sink.Snapshot()
	if len(msgs) != 1 || calls != 1 {
		t.Fatalf("calls=%d msgs=%d, want one call with one message", calls, len(msgs))
	}
	m := msgs[0]
	if m.Topic != "engage.point.balance.updated" {
		t.Errorf("topic = %s", m.Topic)
	}
	if string(m.Key) != "8c9d0e1f-2a3b-4c5d-6e7f-8091a2b3c4d5" {
		t.Errorf("key = %s", m.Key)
	}
	want := map[string]string{
		event.HeaderEventID:    "d594ac60-f5b3-4490-9d4b-8d0f2a4b6c98",
		event.HeaderEventType:  "point.balance.updated",
		event.HeaderSource:     "billing",
		event.HeaderReceivedAt: "2025-03-04T05:06:07.891Z",
	}
	for k, v := range want {
		if got, _ := header(m, k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	ev, err := serde.Unmarshal(context.Background(), m.Value)
	if err != nil {
		t.Fatal(err)
	}
	if string(ev.Raw) != string(raw) || ev.Payload["balance"] != "1250.5" {
		t.Errorf("decoded raw=%s payload=%v", ev.Raw, ev.Payload)
	}
}

func TestPublishGeneratesMissingIDAndStampsTime(t *testing.T) {
	t.Parallel()
	sink := &kafkatest.RecordingSink{}
	p := New(newSerde(t), sink, WithClock(func() time.Time { return fixedNow }))
	events := []event.Event{{Type: "order.created", Source: "shop", Raw: []byte(`{"eventType":"order.created"}`)}}
	if err := p.Publish(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
	id, err := uuid.Parse(events[0].ID)
	if err != nil || id.Version() != 7 {
		t.Fatalf("generated id %q is not a UUIDv7: %v", events[0].ID, err)
	}
	if !events[0].ReceivedAt.Equal(fixedNow) {
		t.Errorf("ReceivedAt = %v", events[0].ReceivedAt)
	}
	_, msgs := sink.Snapshot()
	m := msgs[0]
	if m.Topic != "engage._unrecognized" {
		t.Errorf("unknown type topic = %s, want engage._unrecognized", m.Topic)
	}
	if got, _ := header(m, event.HeaderEventID); got != events[0].ID {
		t.Errorf("event-id header %q != %q", got, events[0].ID)
	}
}

func TestPublishJSONRejectsAllWhenOneIsInvalid(t *testing.T) {
	t.Parallel()
	sink := &kafkatest.RecordingSink{}
	p := New(newSerde(t), sink)
	good := sample(t, event.ContactDeleted)
	bad := []byte(`{"eventType":"contact.deleted","payload":{}}`)
	err := p.PublishJSON(context.Background(), "svc", good, bad)
	var fe *event.FieldError
	if !errors.As(err, &fe) || fe.Field != "payload.contactId" {
		t.Fatalf("err = %v, want FieldError on payload.contactId", err)
	}
	if calls, _ := sink.Snapshot(); calls != 0 {
		t.Errorf("sink called %d times, want 0", calls)
	}
}

func TestPublishReturnsSinkError(t *testing.T) {
	t.Parallel()
	sink := &kafkatest.RecordingSink{}
	sink.SetErr(errors.New("broker down"))
	p := New(newSerde(t), sink)
	err := p.PublishJSON(context.Background(), "svc", sample(t, event.ContactDeleted))
	if err == nil || !strings.Contains(err.Error(), "broker down") {
		t.Fatalf("err = %v", err)
	}
	if err := p.Publish(context.Background()); !errors.Is(err, ErrNoEvents) {
		t.Errorf("empty publish err = %v", err)
	}
}
