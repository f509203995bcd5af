package ingest

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

func withKey(key string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(HeaderIdempotencyKey, key) }
}

const idemBody = `{"eventType":"contact.deleted","payload":{"contactId":"c-1"}}`

func TestIdempotencyKeyReplaysTheFirstResponseAndWritesOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	first := f.serve(apiRequest(idemBody, withKey("order-42")))
	if first.Code != http.StatusAccepted || first.Header().Get(HeaderIdempotentReplayed) != "" {
		t.Fatalf("first = %d %s", first.Code, first.Body)
	}
	again := f.serve(apiRequest(idemBody, withKey("order-42")))
	if again.Code != first.Code || again.Body.String() != first.Body.String() || again.Header().Get(HeaderIdempotentReplayed) != "true" {
		t.Fatalf("retry = %d %s (replayed %q), want the first response %s", again.Code, again.Body, again.Header().Get(HeaderIdempotentReplayed), first.Body)
	}
	if calls, msgs := f.sink.Snapshot(); calls != 1 || len(msgs) != 1 {
		t.Fatalf("writes = %d (%d records), want 1", calls, len(msgs))
	}
	other := f.serve(apiRequest(`{"eventType":"contact.deleted","payload":{"contactId":"c-2"}}`, withKey("order-42")))
	if other.Code != http.StatusUnprocessableEntity || !strings.Contains(decodeError(t, other).Message, HeaderIdempotencyKey) {
		t.Fatalf("same key, other body = %d %s, want 422 naming %s", other.Code, other.Body, HeaderIdempotencyKey)
	}
	fresh := f.serve(apiRequest(idemBody, withKey("order-43")))
	if fresh.Code != http.StatusAccepted || fresh.Body.String() == first.Body.String() {
		t.Fatalf("another key = %d %s, want a new write", fresh.Code, fresh.Body)
	}
	plain := f.serve(apiRequest(idemBody))
	if calls, _ := f.sink.Snapshot(); plain.Code != http.StatusAccepted || calls != 3 {
		t.Fatalf("without a key: %d, %d writes; want written", plain.Code, calls)
	}
}

func TestIdempotencyWindowEndsAfterTwelveHours(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	start := f.now
	_ = f.serve(apiRequest(idemBody, withKey("k")))
	f.now = start.Add(12*time.Hour - time.Second)
	if w := f.serve(apiRequest(idemBody, withKey("k"))); w.Header().Get(HeaderIdempotentReplayed) != "true" {
		t.Fatal("not replayed within the window")
	}
	f.now = start.Add(12 * time.Hour)
	if w := f.serve(apiRequest(idemBody, withKey("k"))); w.Code != http.StatusAccepted || w.Header().Get(HeaderIdempotentReplayed) != "" {
		t.Fatalf("after the window = %d replayed %q, want a new write", w.Code, w.Header().Get(HeaderIdempotentReplayed))
	}
	if calls, _ := f.sink.Snapshot(); calls != 2 {
		t.Fatalf("writes = %d, want 2", calls)
	}
}

func TestFailedRequestsAreNotStoredAndBadKeysAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	if w := f.serve(apiRequest(`{"eventType":"contact.deleted","payload":{}}`, withKey("k"))); w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid event = %d", w.Code)
	}
	if w := f.serve(apiRequest(idemBody, withKey("k"))); w.Code != http.StatusAccepted || w.Header().Get(HeaderIdempotentReplayed) != "" {
		t.Fatalf("after a failed first try = %d, want written (failures are not stored)", w.Code)
	}
	for name, key := range map[string]string{"too long": strings.Repeat("k", 256), "control character": "a\x01b"} {
		w := f.serve(apiRequest(idemBody, withKey(key)))
		if w.Code != http.StatusBadRequest || !strings.Contains(decodeError(t, w).Message, HeaderIdempotencyKey) {
			t.Errorf("%s: %d %s, want 400 naming %s", name, w.Code, w.Body, HeaderIdempotencyKey)
		}
	}
}

func TestConcurrentRequestsWithOneKeyWriteOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	bodies := make([]string, 8)
	for i := range bodies {
		wg.Go(func() { bodies[i] = f.serve(apiRequest(idemBody, withKey("same"))).Body.String() })
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("responses differ: %s vs %s", b, bodies[0])
		}
	}
	if calls, _ := f.sink.Snapshot(); calls != 1 {
		t.Fatalf("writes = %d, want 1", calls)
	}
}

func TestResponsesStayWithinTheirMemoryBound(t *testing.T) {
	t.Parallel()
	now := time.Now()
	r := newResponses(time.Hour, 1000, func() time.Time { return now })
	for i := range 100 {
		r.release(string(rune('a'+i%26))+strings.Repeat("x", i), &stored{status: 202, response: make([]byte, 100), at: now})
	}
	if r.bytes > 1000 || r.Len() > 5 {
		t.Fatalf("%d responses, %d bytes; want within 1000 bytes", r.Len(), r.bytes)
	}
}

// Two ingest replicas share the idempotency window through Kafka: a retry
// that lands on the other replica gets the first response, and the event
// is written once across both.
func TestIdempotencyKeyAcrossTwoIngestInstances(t *testing.T) {
	client := kafkatest.Client(t)
	ensureTopics(t, client)
	topic := kafkatest.Topic(t, "idempotency")
	start := func() *fixture {
		f, w := kafkaFixture(t, client, nil, Options{Now: time.Now, Responses: KafkaResponses(client, topic, 13*time.Hour, nil),
			Backoff: kafka.Backoff{Max: 200 * time.Millisecond}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.in.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done; _ = w.Close() })
		deadline := time.Now().Add(30 * time.Second)
		for f.in.Ready(context.Background()) != nil {
			if time.Now().After(deadline) {
				t.Fatal("replica not ready")
			}
			time.Sleep(5 * time.Millisecond)
		}
		return f
	}
	a, b := start(), start()
	contact := kafkatest.Topic(t, "contact")
	body := `{"eventType":"contact.deleted","payload":{"contactId":"` + contact + `"}}`
	key := kafkatest.Topic(t, "key")
	first := a.serve(apiRequest(body, withKey(key)))
	if first.Code != http.StatusAccepted {
		t.Fatalf("on a: %d %s", first.Code, first.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.in.responses.Len() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("replica b never learned the response replica a stored")
		}
		time.Sleep(5 * time.Millisecond)
	}
	again := b.serve(apiRequest(body, withKey(key)))
	if again.Code != first.Code || again.Body.String() != first.Body.String() || again.Header().Get(HeaderIdempotentReplayed) != "true" {
		t.Fatalf("retry on b = %d %s, want a's response %s", again.Code, again.Body, first.Body)
	}
	n := 0
	for _, m := range readAll(t, client, "engage.contact.deleted") {
		if string(m.Key) == contact {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("records of the event = %d, want 1 across both replicas", n)
	}
	restarted := start() // a replica started later replays the window
	if restarted.in.responses.Len() == 0 {
		t.Fatal("a new replica did not replay the idempotency window")
	}
}
