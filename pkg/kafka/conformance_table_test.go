package kafka_test

// The conformance suite's Table part (see conformance_test.go).

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// view is a Table's state as apply builds it.
type view struct {
	mu sync.Mutex
	kv map[string]string
}

func (v *view) apply(m kafka.Message) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if m.Value == nil {
		delete(v.kv, string(m.Key))
		return
	}
	v.kv[string(m.Key)] = string(m.Value)
}

func (v *view) get(key string) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	val, ok := v.kv[key]
	return val, ok
}

func (v *view) snapshot() map[string]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]string, len(v.kv))
	for k, val := range v.kv {
		out[k] = val
	}
	return out
}

// openTable opens topic as a Table following it until the test ends.
func openTable(ctx context.Context, t *testing.T, c *kafka.Client, topic string) (*kafka.Table, *view) {
	t.Helper()
	v := &view{kv: map[string]string{}}
	tb, err := c.OpenTable(ctx, topic, v.apply)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = tb.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done; _ = tb.Close() })
	return tb, v
}

func TestConformanceCompactedTableKeepsLatestValuePerKey(t *testing.T) {
	c := kafkatest.Client(t)
	ctx := ctxFor(t, 60*time.Second)
	topic := kafkatest.Topic(t, "table")
	tb, _ := openTable(ctx, t, c, topic)
	puts := []struct{ key, value string }{
		{"a", "1"}, {"b", "1"}, {"a", "2"}, {"c", "1"}, {"b", ""}, {"a", "3"}, {"d", "1"}, {"d", ""},
	}
	for _, p := range puts {
		var value []byte
		if p.value != "" {
			value = []byte(p.value)
		}
		if err := tb.Put(ctx, []byte(p.key), value); err != nil {
			t.Fatal(err)
		}
	}
	_, replayed := openTable(ctx, t, c, topic) // a new instance replays the topic
	want := map[string]string{"a": "3", "c": "1"}
	if got := replayed.snapshot(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("replayed table = %v, want %v (latest value per key, tombstones delete)", got, want)
	}
}

func TestConformanceTablePutVisibleToAnotherInstanceWithinOneSecond(t *testing.T) {
	c := kafkatest.Client(t)
	ctx := ctxFor(t, 60*time.Second)
	topic := kafkatest.Topic(t, "table")
	writer, own := openTable(ctx, t, c, topic)
	_, other := openTable(ctx, t, c, topic)
	for i := range 5 {
		value := strconv.Itoa(i)
		if err := writer.Put(ctx, []byte("k"), []byte(value)); err != nil {
			t.Fatal(err)
		}
		if got, _ := own.get("k"); got != value {
			t.Fatalf("writer's own view = %q after Put, want %q", got, value)
		}
		start := time.Now()
		eventually(t, time.Second, "other instance did not see the Put within 1s", func() bool {
			got, _ := other.get("k")
			return got == value
		})
		t.Logf("put %d visible to the other instance after %s", i, time.Since(start).Round(time.Millisecond))
	}
}

func TestConformanceLogReplaysOnlyRecordsSinceItsStartTime(t *testing.T) {
	c := kafkatest.Client(t)
	ctx := ctxFor(t, 60*time.Second)
	spec := kafka.TopicSpec{Name: kafkatest.Topic(t, "log"), Partitions: 1, Configs: map[string]string{"retention.ms": "86400000"}}
	if err := c.EnsureTopics(ctx, spec); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	w := c.NewWriter(kafka.WriterOptions{})
	defer w.Close()
	for _, r := range []struct {
		key string
		age time.Duration
	}{{"old-1", 3 * time.Hour}, {"old-2", 2 * time.Hour}, {"new-1", 30 * time.Minute}, {"new-2", time.Minute}} {
		if err := w.WriteMessages(ctx, kafka.Message{Topic: spec.Name, Key: []byte(r.key), Value: []byte("v"), Time: now.Add(-r.age)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		since time.Time
		want  string
	}{
		{"since an hour ago", now.Add(-time.Hour), "[new-1 new-2]"},
		{"since before everything", now.Add(-24 * time.Hour), "[old-1 old-2 new-1 new-2]"},
		{"since after everything", now.Add(time.Minute), "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			tb, err := c.OpenLog(ctx, spec, tc.since, func(m kafka.Message) { got = append(got, string(m.Key)) })
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			if fmt.Sprint(got) != tc.want {
				t.Fatalf("replayed %v, want %v", got, tc.want)
			}
		})
	}
}
