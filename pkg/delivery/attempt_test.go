package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
)

// loggedAttempts returns the attempts on b's attempt-log topic.
func loggedAttempts(b *memBroker, topic string) []Attempt {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Attempt
	for _, m := range b.topics[topic] {
		var a Attempt
		if json.Unmarshal(m.Value, &a) == nil {
			out = append(out, a)
		}
	}
	return out
}

func TestAttemptsRecordWhatWasSentAndWhatCameBack(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(strings.Repeat("x", MaxExcerpt+100)))
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, 20 * time.Millisecond}
	b := newMemBroker()
	alog := NewAttemptLog(cfg.Topics.Attempts, b, 100, NewMetrics(nil), zap.NewNop())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = alog.Run(ctx) }()
	_ = b.WriteMessages(ctx, record("engagehub.deliver.sub", "c1", "e1"))
	ep := Endpoint{URL: srv.URL, Headers: map[string]string{"x-api-key": "s3cret", "x-team": "pos"}}
	runWorker(t, cfg, ep, Deps{Broker: b, Sink: b, Attempts: alog})

	var got []Attempt
	eventually(t, 10*time.Second, func() bool { got = loggedAttempts(b, cfg.Topics.Attempts); return len(got) == 2 }, "two attempts logged")
	failed, ok := got[0], got[1]
	switch {
	case failed.Status != 503 || len(failed.ResponseBody) != MaxExcerpt || !failed.ResponseTruncated:
		t.Fatalf("failed attempt: status %d, excerpt %d bytes, truncated %v; want 503, %d, true", failed.Status, len(failed.ResponseBody), failed.ResponseTruncated, MaxExcerpt)
	case failed.NextRetryAt == nil || !failed.NextRetryAt.Equal(failed.At.Add(20*time.Millisecond)):
		t.Fatalf("failed attempt at %v: next retry %v, want 20ms later", failed.At, failed.NextRetryAt)
	case failed.ContactID != "c1" || failed.Topic != "engagehub.deliver.sub" || failed.Offset != 0:
		t.Fatalf("failed attempt: contact %q at %s@%d", failed.ContactID, failed.Topic, failed.Offset)
	}
	h := failed.RequestHeaders
	if h["webhook-signature"] != redacted || h["x-api-key"] != redacted || h["x-team"] != "pos" || h["webhook-id"] != "msg_e1" {
		t.Fatalf("request headers = %v, want the signature and the key redacted, the rest as sent", h)
	}
	if ok.Status != 200 || ok.ResponseBody != "ok" || ok.NextRetryAt != nil || ok.ResponseTruncated {
		t.Fatalf("delivered attempt = %+v", ok)
	}
}

func TestExcerptOfAnEmptyBodyAllocatesNothing(t *testing.T) {
	r := strings.NewReader("")
	if n := testing.AllocsPerRun(100, func() { r.Reset(""); _, _ = readExcerpt(r) }); n > 0 {
		t.Fatalf("empty excerpt: %.0f allocations", n)
	}
}

// Header names are remembered for the attempt log only up to a bound (a
// transformation may invent them without end), and past it a new name is
// still recorded, and redacted, as the remembered ones are.
func TestRecordedHeaderNamesAreBoundedAndStillRedacted(t *testing.T) {
	for i := range maxHeaderNames + 100 {
		recordedName(fmt.Sprintf("X-Invented-%d", i))
	}
	if n := headerNameCount.Load(); n > maxHeaderNames {
		t.Fatalf("%d header names remembered, want at most %d", n, maxHeaderNames)
	}
	h := http.Header{"X-Late-Api-Key": {"s3cret"}, "X-Late-Team": {"pos", "hq"}}
	got := redactHeaders(h)
	if got["x-late-api-key"] != redacted || got["x-late-team"] != "pos, hq" {
		t.Fatalf("past the bound: %v, want the key redacted and the team joined", got)
	}
}
