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
// Serde and opts' Journal; its clock is opts.Now, else f.now, which starts
// at time.Now (record timestamps matter here) and which tests move.
func kafkaFixture(t *testing.T, client *kafka.Client, mutate func(*Config), opts Options) (*fixture, *kafka.Writer) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Engage.Secrets = []secret.String{testSecret}
	if mutate != nil {
		mutate(&cfg)
	}
	w := client.NewWriter(kafka.WriterOptions{})
	f := &fixture{now: time.Now()}
	f.build(t, cfg, w, opts)
	return f, w
}

func TestEngageEndToEndOnEmbeddedBroker(t *testing.T) {
	t.Parallel()
	e, client := startEmbedded(t, t.TempDir(), freeAddr(t))
	defer e.Close()
	defer client.Close()
	ensureTopics(t, client)
	f, w := kafkaFixture(t, client, nil, Options{})
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
	f, w := kafkaFixture(t, client, func(c *Config) { c.WriteTimeout = writeTimeout }, Options{})
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
	f2, w2 := kafkaFixture(t, client2, nil, Options{})
	defer w2.Close()
	if rec := f2.serve(apiRequest(batch)); rec.Code != http.StatusAccepted {
		t.Fatalf("retry after restart: status %d: %s", rec.Code, rec.Body)
	}
	if n := len(readAll(t, client2, "engage.contact.deleted")) + len(readAll(t, client2, "engage.contact.created")); n != 3 {
		t.Errorf("records after retry = %d, want the whole batch of 3", n)
	}
}

func waitReady(t testing.TB, in *Ingest) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for in.Ready(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("not ready after 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
