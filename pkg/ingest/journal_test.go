package ingest

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// clock is a test clock safe to move while Run's goroutines read it.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }

func (c *clock) now() time.Time  { return time.Unix(0, c.ns.Load()) }
func (c *clock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

// replica is one ingest instance with a Kafka journal, running until the
// test ends (or stop).
type replica struct {
	*fixture
	stop func()
}

func startReplica(t *testing.T, client *kafka.Client, topic string, now func() time.Time) *replica {
	t.Helper()
	window := func(c *Config) { c.DedupWindow, c.DedupPublishInterval = time.Hour, 10*time.Millisecond }
	f, w := kafkaFixture(t, client, window, Options{Now: now, Journal: KafkaJournal(client, topic, 2*time.Hour, nil),
		Backoff: kafka.Backoff{Max: 200 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.in.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		_ = w.Close()
	}
	t.Cleanup(stop)
	waitReady(t, f.in)
	return &replica{fixture: f, stop: stop}
}

func (r *replica) engage(t *testing.T, msgID string, at time.Time, body []byte) string {
	t.Helper()
	rec := r.serve(r.engageRequest(msgID, at, body))
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status %d: %s", msgID, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestRunRebuildsDedupWindowFromTheDedupTopic(t *testing.T) {
	client := kafkatest.Client(t)
	ensureTopics(t, client)
	topic := kafkatest.Topic(t, "dedup")
	now := time.Now()
	clk := newClock(now)
	first := startReplica(t, client, topic, clk.now)
	recent, old := example(t, event.ContactDeleted), example(t, event.ContactCreated)
	recentID, oldID := kafkatest.Topic(t, "msg_recent"), kafkatest.Topic(t, "msg_old")
	first.engage(t, recentID, now, recent)
	clk.set(now.Add(-2 * time.Hour)) // written (and published) outside the 1h window
	first.engage(t, oldID, now.Add(-2*time.Hour), old)
	clk.set(now)
	first.stop() // publishes what it holds

	second := startReplica(t, client, topic, clk.now)
	if got := second.in.Dedup().Len(); got != 1 {
		t.Errorf("ids rebuilt = %d, want 1 (the old one is outside the window)", got)
	}
	if body := second.engage(t, recentID, now, recent); !strings.Contains(body, `"duplicate":true`) {
		t.Fatalf("retry after restart: %s, want a duplicate", body)
	}
	if body := second.engage(t, oldID, now, old); strings.Contains(body, `"duplicate":true`) {
		t.Fatalf("retry of the id outside the window: %s, want it written", body)
	}
	if n := countWebhookID(t, client, "engage.contact.deleted", recentID); n != 1 {
		t.Errorf("records of %s = %d, want 1", recentID, n)
	}
}

func TestRetryOnAnotherReplicaIsNotWrittenTwice(t *testing.T) {
	client := kafkatest.Client(t)
	ensureTopics(t, client)
	topic := kafkatest.Topic(t, "dedup")
	a, b := startReplica(t, client, topic, time.Now), startReplica(t, client, topic, time.Now)
	body := example(t, event.ContactDeleted)
	msgID := kafkatest.Topic(t, "msg")
	at := time.Now()
	if got := a.engage(t, msgID, at, body); strings.Contains(got, `"duplicate"`) {
		t.Fatalf("first delivery on a: %s", got)
	}
	start := time.Now()
	deadline := start.Add(10 * time.Second)
	for b.in.Dedup().Len() == 0 { // Engage's first retry comes 5 s later
		if time.Now().After(deadline) {
			t.Fatal("replica b never learned the id replica a wrote")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("replica b knew the id %s after replica a wrote it", time.Since(start).Round(time.Millisecond))
	if got := b.engage(t, msgID, at, body); !strings.Contains(got, `"duplicate":true`) {
		t.Fatalf("Engage's retry on replica b: %s, want a duplicate", got)
	}
	if n := countWebhookID(t, client, "engage.contact.deleted", msgID); n != 1 {
		t.Fatalf("records of %s = %d, want 1 (written once across both replicas)", msgID, n)
	}
	if got := a.in.Dedup().Len(); got != 1 {
		t.Errorf("replica a remembers %d ids, want 1 (its own records are not applied twice)", got)
	}
}

func TestRunWaitsOutKafkaBeforeTheWindowIsRebuilt(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	e, client := startEmbedded(t, dir, addr)
	ensureTopics(t, client)
	e.Close()
	f, w := kafkaFixture(t, client, nil, Options{Now: time.Now, Journal: KafkaJournal(client, "dedup", 2*time.Hour, nil),
		Backoff: kafka.Backoff{Max: 100 * time.Millisecond}})
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.in.Run(ctx) }()
	if err := f.in.Ready(ctx); err == nil || !strings.Contains(err.Error(), "rebuilding dedup window") {
		t.Fatalf("Ready = %v during the outage, want the rebuild named", err)
	}
	rec := f.serve(f.engageRequest("msg_outage", time.Now(), example(t, event.ContactDeleted)))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("engage door while rebuilding: %d (Retry-After %q), want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned %v during the outage", err)
	case <-time.After(2 * time.Second): // Run keeps waiting
	}
	e2, client2 := startEmbedded(t, dir, addr)
	defer e2.Close()
	defer client2.Close()
	waitReady(t, f.in)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// countWebhookID counts the records of topic whose webhook-id is id.
func countWebhookID(t *testing.T, client *kafka.Client, topic, id string) int {
	t.Helper()
	n := 0
	for _, m := range readAll(t, client, topic) {
		if v, _ := header(m, event.HeaderWebhookID); v == id {
			n++
		}
	}
	return n
}

func TestJournalRecordRoundTripsAndBadRecordsAreSkipped(t *testing.T) {
	t.Parallel()
	hashes := []uint64{IDHash("a"), IDHash("b"), 0, ^uint64(0)}
	got, err := decodeHashes(encodeHashes(hashes))
	if err != nil || len(got) != len(hashes) {
		t.Fatalf("round trip = %v, %v", got, err)
	}
	for i := range hashes {
		if got[i] != hashes[i] {
			t.Errorf("hash %d = %#x, want %#x", i, got[i], hashes[i])
		}
	}
	since := testNow.Add(-time.Hour)
	for _, tc := range []struct {
		name  string
		key   string
		value []byte
		at    time.Time
		want  int
	}{
		{"another replica's record", "other", encodeHashes(hashes[:2]), testNow, 2},
		{"this replica's own record", "self", encodeHashes(hashes[:2]), testNow, 0},
		{"older than the window", "other", encodeHashes(hashes[:2]), since.Add(-time.Second), 0},
		{"empty value", "other", nil, testNow, 0},
		{"unknown version", "other", append([]byte{9}, encodeHashes(hashes[:1])[1:]...), testNow, 0},
		{"truncated hash", "other", encodeHashes(hashes[:1])[:5], testNow, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			j := &kafkaJournal{replica: []byte("self"), since: since, remember: func(uint64, time.Time) { n++ }, log: zap.NewNop()}
			j.apply(kafka.Message{Key: []byte(tc.key), Value: tc.value, Time: tc.at})
			if n != tc.want {
				t.Errorf("remembered %d ids, want %d", n, tc.want)
			}
		})
	}
}
