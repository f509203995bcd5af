//go:build integration

package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/producer"
)

// topicPrefix is engagehub's default: downstream teams read engage.<type>.
const topicPrefix = "engage."

func TestKcatAndPythonAvroDecodeEveryEventType(t *testing.T) {
	tl := requireTools(t)
	brokers := kafkatest.Brokers(t)
	c := kafkatest.ClientFor(t, brokers)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	registryURL := startRegistry(ctx, t, c)
	var specs []kafka.TopicSpec
	for _, s := range event.Catalog() {
		specs = append(specs, kafka.TopicSpec{Name: event.Topic(topicPrefix, s.Type)})
	}
	if err := c.EnsureTopics(ctx, specs...); err != nil {
		t.Fatal(err)
	}

	sent := publishOneOfEach(ctx, t, brokers, registryURL)
	if len(sent) != 11 {
		t.Fatalf("catalog has %d types, want 11", len(sent))
	}
	for _, ev := range sent {
		t.Run(string(ev.Type), func(t *testing.T) {
			topic := event.Topic(topicPrefix, ev.Type)
			rec := findByEventID(t, tl.consume(ctx, t, brokers[0], topic), ev.ID)
			checkRecord(t, rec, ev)
			d := tl.decode(ctx, t, registryURL, rec.value)
			if want := latestSchemaID(ctx, t, registryURL, topic); d.SchemaID != want {
				t.Errorf("framed schema id %d, registry's latest for %s-value is %d", d.SchemaID, topic, want)
			}
			checkDecoded(t, d.Record, ev)
		})
	}
}

// publishOneOfEach publishes one sample event per catalog type through
// producer.Dial — the path ingest and `engagehub produce` use: the registry
// client registers the schemas, the Serde frames the Avro, acks=all.
func publishOneOfEach(ctx context.Context, t *testing.T, brokers []string, registryURL string) []event.Event {
	t.Helper()
	p, err := producer.Dial(ctx, producer.Config{
		Kafka:         kafka.Config{Brokers: brokers, TopicPrefix: topicPrefix, Partitions: 3, ReplicationFactor: 1},
		RegistryURL:   registryURL,
		RegistryToken: registryToken,
	}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var events []event.Event
	for _, s := range event.Catalog() {
		raws, err := producer.Samples(s.Type, 1)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := producer.FromJSON(raws[0], "interop", time.Now())
		if err != nil {
			t.Fatalf("%s sample: %v", s.Type, err)
		}
		events = append(events, ev)
	}
	if err := p.Publish(ctx, events...); err != nil {
		t.Fatal(err)
	}
	return events
}

func findByEventID(t *testing.T, recs []record, id string) record {
	t.Helper()
	for _, r := range recs {
		if r.headers[event.HeaderEventID] == id {
			return r
		}
	}
	t.Fatalf("kcat read %d records, none with event-id %s", len(recs), id)
	return record{}
}

// checkRecord compares the record's key and headers with what ingest writes.
func checkRecord(t *testing.T, rec record, ev event.Event) {
	t.Helper()
	if string(rec.key) != ev.ContactID {
		t.Errorf("key = %q, want contactId %q", rec.key, ev.ContactID)
	}
	for _, h := range producer.Headers(ev) {
		if got := rec.headers[h.Key]; got != string(h.Value) {
			t.Errorf("header %s = %q, want %q", h.Key, got, h.Value)
		}
	}
}

// checkDecoded compares what Python decoded with the event that was sent.
func checkDecoded(t *testing.T, got map[string]any, ev event.Event) {
	t.Helper()
	want := map[string]any{
		"eventId": ev.ID, "eventType": string(ev.Type), "tenant": ev.Tenant, "source": ev.Source,
		"receivedAt": ev.ReceivedAt.UnixMilli(), "isEncrypted": ev.IsEncrypted, "contactId": ev.ContactID,
		"payload": plainPayload(ev.Payload), "raw": string(ev.Raw),
	}
	for field, w := range want {
		g, ok := got[field]
		if !ok {
			t.Errorf("decoded record has no %q", field)
			continue
		}
		if gn, wn := normalize(t, g), normalize(t, w); !reflect.DeepEqual(gn, wn) {
			t.Errorf("%s: python decoded %v, sent %v", field, gn, wn)
		}
	}
	if extra := len(got) - len(want); extra != 0 {
		t.Errorf("decoded record has %d fields, compared %d: %v", len(got), len(want), got)
	}
}

// plainPayload turns timestamps into epoch milliseconds, as Avro's
// timestamp-millis (and decode.py) has them.
func plainPayload(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		if ts, ok := v.(time.Time); ok {
			v = ts.UnixMilli()
		}
		out[k] = v
	}
	return out
}

// normalize round-trips v through JSON (numbers kept exact) and drops
// nulls: an optional field Go leaves out is null in the Avro record.
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return dropNulls(out)
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
			} else {
				x[k] = dropNulls(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = dropNulls(e)
		}
	}
	return v
}

// latestSchemaID asks the registry which id the subject's latest version has.
func latestSchemaID(ctx context.Context, t *testing.T, registryURL, topic string) int {
	t.Helper()
	var v struct {
		ID int `json:"id"`
	}
	getJSON(ctx, t, registryURL+"/subjects/"+topic+"-value/versions/latest", &v)
	return v.ID
}
