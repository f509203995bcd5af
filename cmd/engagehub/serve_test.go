package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

func TestServeListsCatalogAndSubjects(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	_, stop := startApp(t, cfg)
	defer stop()
	base := "http://" + cfg.HTTP.Listen

	var types struct {
		EventTypes []struct{ Type, Topic string } `json:"eventTypes"`
	}
	if err := json.Unmarshal([]byte(mustGet(t, base+"/v1/event-types")), &types); err != nil {
		t.Fatal(err)
	}
	if len(types.EventTypes) != 11 {
		t.Fatalf("event types = %d, want 11", len(types.EventTypes))
	}
	var subjects []string
	if err := json.Unmarshal([]byte(mustGet(t, base+"/registry/subjects")), &subjects); err != nil {
		t.Fatal(err)
	}
	if len(subjects) != 12 {
		t.Fatalf("subjects = %v, want 12", subjects)
	}
	detail := mustGet(t, base+"/v1/event-types/point.balance.updated")
	if !strings.Contains(detail, `"topic":"engage.point.balance.updated"`) || !strings.Contains(detail, `"schema":{`) {
		t.Fatalf("detail lacks topic or schema: %s", detail)
	}
}

func TestRestartKeepsSchemaIDsAndRecords(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	a, stop := startApp(t, cfg)
	base := "http://" + cfg.HTTP.Listen
	idsBefore := subjectIDs(t, base)

	spec, _ := event.Lookup(event.PointBalanceUpdated)
	env, err := event.Parse(spec.Example)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := event.New(env, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	topic, value, err := a.serde.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w := a.kafka.NewWriter(kafka.WriterOptions{})
	if err := w.WriteMessages(ctx, kafka.Message{Topic: topic, Key: []byte(ev.ContactID), Value: value}); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	stop()

	b, stop2 := startApp(t, cfg)
	defer stop2()
	if idsAfter := subjectIDs(t, base); !equalMaps(idsBefore, idsAfter) {
		t.Fatalf("schema ids changed across restart:\nbefore %v\nafter  %v", idsBefore, idsAfter)
	}
	got := readOne(ctx, t, b, topic, ev.ContactID)
	if string(got.Raw) != string(ev.Raw) || got.ID != ev.ID {
		t.Fatalf("record after restart = %+v, want the one written before", got)
	}
}

func subjectIDs(t *testing.T, base string) map[string]int {
	t.Helper()
	var subjects []string
	if err := json.Unmarshal([]byte(mustGet(t, base+"/registry/subjects")), &subjects); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, s := range subjects {
		var v struct{ ID int }
		if err := json.Unmarshal([]byte(mustGet(t, base+"/registry/subjects/"+s+"/versions/latest")), &v); err != nil {
			t.Fatal(err)
		}
		ids[s] = v.ID
	}
	return ids
}

// readOne finds the record keyed key on topic and decodes it.
func readOne(ctx context.Context, t *testing.T, a *app, topic, key string) event.Event {
	t.Helper()
	m := readRecord(ctx, t, a, topic, key)
	ev, err := a.serde.Unmarshal(ctx, m.Value)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// readRecord finds the record keyed key on topic (the first of each partition).
func readRecord(ctx context.Context, t *testing.T, a *app, topic, key string) kafka.Message {
	t.Helper()
	ends, err := a.kafka.Ends(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, pe := range ends {
		if pe.Next == pe.First {
			continue
		}
		r, err := a.kafka.NewPartitionReader(topic, pe.Partition, kafka.First, kafka.ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := r.Fetch(ctx)
		_ = r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Key) == key {
			return m
		}
	}
	t.Fatalf("no record keyed %s on %s", key, topic)
	return kafka.Message{}
}

func equalMaps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
