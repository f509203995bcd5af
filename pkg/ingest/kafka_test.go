package ingest

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/secret"
)

// kafkaFixture is an Ingest writing to the embedded broker, with the real
// Serde; its clock is f.now, which starts at time.Now (record timestamps
// matter here) and which tests move.
func kafkaFixture(t *testing.T, client *kafka.Client, mutate func(*Config), history History) (*fixture, *kafka.Writer) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Engage.Secrets = []secret.String{testSecret}
	if mutate != nil {
		mutate(&cfg)
	}
	w := client.NewWriter(kafka.WriterOptions{})
	f := &fixture{now: time.Now()}
	f.build(t, cfg, w, history)
	return f, w
}

func TestEngageEndToEndOnEmbeddedBroker(t *testing.T) {
	t.Parallel()
	e, client := startEmbedded(t, t.TempDir(), freeAddr(t))
	defer e.Close()
	defer client.Close()
	ensureTopics(t, client)
	f, w := kafkaFixture(t, client, nil, nil)
	defer w.Close()

	body := example(t, event.RewardVoucherCreated)
	f.now = time.Now()
	if rec := f.serve(f.engageRequest("msg_e2e", f.now, body)); rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	msgs := readAll(t, client, "engage.reward.voucher.created")
	if len(msgs) != 1 {
		t.Fatalf("records = %d", len(msgs))
	}
	m := msgs[0]
	ev, err := newSerde(t).Unmarshal(context.Background(), m.Value)
	if err != nil || !bytes.Equal(ev.Raw, body) {
		t.Fatalf("decoded raw %s err %v", ev.Raw, err)
	}
	if string(m.Key) != ev.ContactID || ev.ContactID == "" {
		t.Errorf("key %q, contactId %q", m.Key, ev.ContactID)
	}
	for _, k := range []string{event.HeaderEventID, event.HeaderEventType, event.HeaderSource, event.HeaderReceivedAt} {
		if v, ok := header(m, k); !ok || v == "" {
			t.Errorf("header %s missing", k)
		}
	}
	if at, _ := header(m, event.HeaderReceivedAt); !strings.HasSuffix(at, "Z") {
		t.Errorf("received-at %q is not UTC RFC 3339", at)
	}
}

func TestBrokerDown503WithinWriteTimeoutAndNoHalfBatch(t *testing.T) {
	t.Parallel()
	dir, addr := t.TempDir(), freeAddr(t)
	e, client := startEmbedded(t, dir, addr)
	ensureTopics(t, client)
	const writeTimeout = time.Second
	f, w := kafkaFixture(t, client, func(c *Config) { c.WriteTimeout = writeTimeout }, nil)
	e.Close()

	batch := `[{"eventType":"contact.deleted","payload":{"contactId":"a"}},` +
		`{"eventType":"contact.deleted","payload":{"contactId":"b"}},` +
		`{"eventType":"contact.created","payload":{"contactId":"c"}}]`
	start := time.Now()
	rec := f.serve(apiRequest(batch))
	took := time.Since(start)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if took > writeTimeout+time.Second {
		t.Errorf("503 after %v, want within write_timeout %v", took, writeTimeout)
	}
	f.now = time.Now()
	if rec := f.serve(f.engageRequest("msg_down", f.now, example(t, event.ContactDeleted))); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("engage door status %d, want 503", rec.Code)
	}
	_ = w.Close() // the abandoned produce attempts end here, before the broker is back
	client.Close()

	e2, client2 := startEmbedded(t, dir, addr)
	defer e2.Close()
	defer client2.Close()
	for _, topic := range []string{"engage.contact.deleted", "engage.contact.created"} {
		if n := len(readAll(t, client2, topic)); n != 0 {
			t.Errorf("%s holds %d records after a 503, want 0", topic, n)
		}
	}
	f2, w2 := kafkaFixture(t, client2, nil, nil)
	defer w2.Close()
	if rec := f2.serve(apiRequest(batch)); rec.Code != http.StatusAccepted {
		t.Fatalf("retry after restart: status %d: %s", rec.Code, rec.Body)
	}
	if n := len(readAll(t, client2, "engage.contact.deleted")) + len(readAll(t, client2, "engage.contact.created")); n != 3 {
		t.Errorf("records after retry = %d, want the whole batch of 3", n)
	}
}

func TestRunRebuildsDedupWindowFromKafka(t *testing.T) {
	t.Parallel()
	e, client := startEmbedded(t, t.TempDir(), freeAddr(t))
	defer e.Close()
	defer client.Close()
	ensureTopics(t, client)
	window := func(c *Config) { c.DedupWindow = time.Hour }

	first, w1 := kafkaFixture(t, client, window, nil)
	recent, old := example(t, event.ContactDeleted), example(t, event.ContactCreated)
	for _, write := range []struct {
		id   string
		at   time.Time
		body []byte
	}{{"msg_recent", time.Now(), recent}, {"msg_old", time.Now().Add(-2 * time.Hour), old}} {
		first.now = write.at // the record's timestamp; the old one is outside the window
		if rec := first.serve(first.engageRequest(write.id, first.now, write.body)); rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", write.id, rec.Code)
		}
	}
	_ = w1.Close()

	second, w2 := kafkaFixture(t, client, window, NewKafkaHistory(client, event.Topics("engage.")))
	defer w2.Close()
	second.now = time.Now()
	if rec := second.serve(second.engageRequest("msg_recent", second.now, recent)); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("before Run: status %d, want 503 while rebuilding", rec.Code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- second.in.Run(ctx) }()
	waitReady(t, second.in)
	if got := second.in.Dedup().Len(); got != 1 {
		t.Errorf("ids rebuilt = %d, want 1 (the old one is outside the window)", got)
	}
	if rec := second.serve(second.engageRequest("msg_recent", second.now, recent)); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"duplicate":true`) {
		t.Fatalf("retry after restart: status %d body %s, want 200 duplicate", rec.Code, rec.Body)
	}
	if n := len(readAll(t, client, "engage.contact.deleted")); n != 1 {
		t.Errorf("records = %d, want 1", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func waitReady(t *testing.T, in *Ingest) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for in.Ready(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("not ready after 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
