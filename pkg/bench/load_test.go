package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// ingestStub counts events per request and answers status.
type ingestStub struct {
	events atomic.Int64
	status int
}

func (s *ingestStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var batch []json.RawMessage
	if json.Unmarshal(body, &batch) == nil {
		s.events.Add(int64(len(batch)))
	} else {
		s.events.Add(1)
	}
	w.WriteHeader(s.status)
}

func newTestLoad(url string, rate float64, batch, concurrency int, d time.Duration) *Load {
	return NewLoad(LoadOptions{URL: url, Token: "t", Rate: rate, Batch: batch, Concurrency: concurrency, Duration: d},
		NewEnvelopes("r", 10, 0), http.DefaultClient, NewClock(nil), time.Now)
}

func TestClosedLoopRecordsAnAckPerAcceptedEvent(t *testing.T) {
	t.Parallel()
	stub := &ingestStub{status: http.StatusAccepted}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	l := newTestLoad(srv.URL, 0, 5, 4, 200*time.Millisecond)
	l.Run(context.Background())
	if l.Acked() == 0 || l.Acked() != l.Sent() || l.Acked() != stub.events.Load() || l.Failed() != 0 {
		t.Fatalf("sent %d, acked %d, failed %d, server saw %d", l.Sent(), l.Acked(), l.Failed(), stub.events.Load())
	}
	for seq := range int(l.Sent()) {
		if l.Acks.Get(seq) == 0 {
			t.Fatalf("event %d acked without an ack time", seq)
		}
	}
	if l.Ingest.Count() != l.Acked()/5 {
		t.Fatalf("request latencies %d, want one per batch (%d)", l.Ingest.Count(), l.Acked()/5)
	}
}

func TestOpenLoopSendsAtTheRate(t *testing.T) {
	t.Parallel()
	stub := &ingestStub{status: http.StatusAccepted}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	// 1,000 events/s in batches of 10 for 500ms: 50 batches (51 counting
	// t0). Late timers do not lower the count: overdue batches go at once.
	// Enough clients that none waits, however slow the machine is.
	l := newTestLoad(srv.URL, 1000, 10, 512, 500*time.Millisecond)
	l.Run(context.Background())
	if got := l.Sent(); got < 450 || got > 510 || l.Stalled() != 0 {
		t.Fatalf("sent %d events in 500ms at 1,000/s (%d batches stalled); want about 500", got, l.Stalled())
	}
	if l.Acked() != l.Sent() {
		t.Fatalf("acked %d of %d", l.Acked(), l.Sent())
	}
}

func TestRefusedRequestsAreFailuresWithoutAcks(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&ingestStub{status: http.StatusServiceUnavailable})
	defer srv.Close()
	l := newTestLoad(srv.URL, 0, 1, 4, 100*time.Millisecond)
	l.Run(context.Background())
	if l.Acked() != 0 || l.Failed() != l.Sent() || l.Sent() == 0 {
		t.Fatalf("sent %d, acked %d, failed %d; want every event failed", l.Sent(), l.Acked(), l.Failed())
	}
	if l.Acks.Get(0) != 0 || l.LastError() == "" {
		t.Fatalf("a refused event has an ack time, or no error was kept (%q)", l.LastError())
	}
}

func TestClosedLoopHoldsBackWhileTheBacklogIsOverItsBound(t *testing.T) {
	t.Parallel()
	stub := &ingestStub{status: http.StatusAccepted}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	l := newTestLoad(srv.URL, 0, 5, 4, 200*time.Millisecond)
	var owed atomic.Int64
	owed.Store(1000)
	l.opts.Backlog, l.opts.MaxBacklog = owed.Load, 500
	l.Run(context.Background())
	if l.Sent() != 0 {
		t.Fatalf("sent %d events with 1000 deliveries owed and a bound of 500; want none", l.Sent())
	}
	owed.Store(0)
	l.Run(context.Background())
	if l.Sent() == 0 {
		t.Fatal("sent nothing with the backlog under its bound")
	}
}

func TestLoadCountsTheEventsIngestAnswered503(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status      int
		unavailable bool
	}{{http.StatusServiceUnavailable, true}, {http.StatusInternalServerError, false}, {http.StatusBadRequest, false}}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(&ingestStub{status: tt.status})
			defer srv.Close()
			l := newTestLoad(srv.URL, 0, 5, 2, 100*time.Millisecond)
			l.Run(context.Background())
			want := int64(0)
			if tt.unavailable {
				want = l.Failed()
			}
			if l.Failed() == 0 || l.Failed() != l.Sent() || l.Unavailable() != want {
				t.Fatalf("sent %d, failed %d, unavailable %d; want every event failed, %d unavailable", l.Sent(), l.Failed(), l.Unavailable(), want)
			}
		})
	}
}

// --door engage: every request is one event signed as Engage signs it,
// with the event's id as the webhook-id, and carries no bearer token.
func TestEngageDoorSignsEachEventAsEngageDoes(t *testing.T) {
	t.Parallel()
	secret, _ := webhook.NewSecret()
	parsed, _ := webhook.ParseSecret(secret)
	signer, _ := webhook.NewSigner(parsed)
	verifier, _ := webhook.NewVerifier([]webhook.Secret{parsed}, time.Minute, time.Now)
	var verified, refused atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, err := verifier.Verify(r.Header, body)
		if err != nil || r.Header.Get("Authorization") != "" || !strings.Contains(string(body), `"eventId":"`+id+`"`) {
			refused.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		verified.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	l := NewLoad(LoadOptions{URL: srv.URL, Signer: signer, Batch: 1, Concurrency: 2, Duration: 100 * time.Millisecond},
		NewEnvelopes("r", 10, 0), http.DefaultClient, NewClock(nil), time.Now)
	l.Run(context.Background())
	if verified.Load() == 0 || refused.Load() != 0 || l.Acked() != verified.Load() {
		t.Fatalf("verified %d, refused %d, acked %d", verified.Load(), refused.Load(), l.Acked())
	}
}
