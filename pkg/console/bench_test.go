package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/ops/attemptindex"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
)

// The console's pages with 1,000 subscriptions and 1M attempts: the real
// ops layer over a real subscription.Store (on an in-memory log) and the
// real attempt index (records read back from memory instead of Kafka), the
// real templates, the process metrics of 1,000 subscriptions. Target:
// every page under 100 ms.

const (
	benchSubs     = 1_000
	benchAttempts = 1_000_000
)

var (
	benchOnce    sync.Once
	benchConsole *Console
	benchCookie  *http.Cookie
)

// attemptLog is the attempt-log topic in memory, read back by offset.
type attemptLog struct {
	recs map[[2]int64]kafka.Message
	next map[int]int64
}

func (l *attemptLog) append(p int, a ops.Attempt) kafka.Message {
	v, _ := json.Marshal(a)
	m := kafka.Message{Topic: "engagehub.attempts", Partition: p, Offset: l.next[p], Key: []byte(a.Subscription), Value: v}
	l.next[p]++
	l.recs[[2]int64{int64(p), m.Offset}] = m
	return m
}

func (l *attemptLog) ReadOffsets(_ context.Context, _ string, p int, offs []int64) (map[int64]kafka.Message, error) {
	out := make(map[int64]kafka.Message, len(offs))
	for _, o := range offs {
		if m, ok := l.recs[[2]int64{int64(p), o}]; ok {
			out[o] = m
		}
	}
	return out, nil
}

// deadLetters answers every subscription with 100 dead letters.
type deadLetters struct{}

func (deadLetters) DeadLetters(_ context.Context, id string, limit int) ([]delivery.DeadLetterView, error) {
	out := make([]delivery.DeadLetterView, min(limit, 100))
	for i := range out {
		out[i] = delivery.DeadLetterView{EventID: fmt.Sprintf("%s-dl-%d", id, i), EventType: "contact.updated", LastStatus: 400, Error: "400 Bad Request", Attempts: 1}
	}
	return out, nil
}

func (deadLetters) Redrive(context.Context, string, []string) (int, error) { return 0, nil }

func benchStore(b *testing.B) *subscription.Store {
	ctx := context.Background()
	cipher, _ := subscription.NewCipher(strings.Repeat("ab", 32))
	store, err := subscription.Open(ctx, subscriptiontest.NewTopic().Opener(), subscription.DefaultConfig(), cipher, subscription.Options{})
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = store.Run(ctx) }()
	for i := range benchSubs {
		sub := subscription.Subscription{ID: fmt.Sprintf("sub-%d", i), EventTypes: []string{"contact.*", "point.balance.updated"}, Enabled: true,
			Destination: subscription.Destination{Type: subscription.DestinationWebhook, URL: fmt.Sprintf("https://sub-%d.example/hook", i)}}
		if _, _, err := store.Create(ctx, sub); err != nil {
			b.Fatal(err)
		}
	}
	return store
}

func benchIndex() *attemptindex.Index {
	log := &attemptLog{recs: map[[2]int64]kafka.Message{}, next: map[int]int64{}}
	x := attemptindex.New(attemptindex.DefaultConfig(), "engagehub.attempts", log)
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range benchAttempts {
		s := i % benchSubs
		a := ops.Attempt{Subscription: fmt.Sprintf("sub-%d", s), EventID: fmt.Sprintf("ev-%d", i), EventType: "contact.updated",
			ContactID: fmt.Sprintf("c-%d", i%5000), Attempt: 1, Status: 200, Outcome: "delivered", LatencyMS: 3, At: t0.Add(time.Duration(i) * time.Millisecond),
			RequestHeaders: map[string]string{"webhook-id": fmt.Sprintf("msg_%d", i), "webhook-signature": "[redacted]"}}
		if i%7 == 0 {
			next := a.At.Add(5 * time.Second)
			a.Status, a.Outcome, a.EventType, a.ResponseBody, a.NextRetryAt = 503, "retry", "point.balance.updated", "upstream down", &next
		}
		x.Add(log.append(s%12, a))
	}
	return x
}

func benchMetrics() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	m := newSenderMetrics(reg)
	for i := range benchSubs {
		id := fmt.Sprintf("sub-%d", i)
		m.deliveries.WithLabelValues(id, "delivered").Add(1000)
		m.deliveries.WithLabelValues(id, "retry").Add(10)
		m.duration.WithLabelValues(id).Observe(0.004)
		m.lag.WithLabelValues(id).Set(3)
		m.circuit.WithLabelValues(id).Set(0)
	}
	return reg
}

func benchSetup(b *testing.B) (*Console, *http.Cookie) {
	benchOnce.Do(func() {
		svc := ops.New(ops.Deps{Store: benchStore(b), Attempts: benchIndex(), DeadLetters: deadLetters{}, TopicPrefix: "engage."})
		links, err := OpenLinks(context.Background(), memOpener(&memLog{}), []byte("bench-key-0123456789abcdef012345"), nil)
		if err != nil {
			b.Fatal(err)
		}
		benchConsole = New(DefaultConfig(), Deps{Ops: svc, Tokens: tokens(adminToken), Links: links, Metrics: benchMetrics()})
		benchConsole.rates.sample()
		benchCookie = &http.Cookie{Name: sessionCookie, Value: benchConsole.sessions.create().id}
	})
	return benchConsole, benchCookie
}

func BenchmarkConsolePages(b *testing.B) {
	c, cookie := benchSetup(b)
	pages := []struct{ name, path string }{
		{"overview", "/console/"},
		{"overview-gathering", "/console/?gather"},
		{"subscriptions", "/console/subscriptions"},
		{"subscription", "/console/subscriptions/sub-421"},
		{"attempts-newest", "/console/subscriptions/sub-421/attempts"},
		{"attempts-failed", "/console/subscriptions/sub-421/attempts?outcome=failed"},
		{"attempts-contact", "/console/subscriptions/sub-421/attempts?contactId=c-421"},
		{"attempts-time", "/console/subscriptions/sub-421/attempts?since=2026-12-01T00:05&until=2026-12-01T00:10"},
		{"dead-letters", "/console/subscriptions/sub-421/dead-letters"},
		{"trace-event", "/console/trace?q=ev-500421"},
		{"event-types", "/console/event-types"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, p.path, nil)
			req.AddCookie(cookie)
			b.ReportAllocs()
			for b.Loop() {
				if strings.HasSuffix(p.path, "?gather") {
					c.rates.mu.Lock()
					c.rates.latest = reading{} // read the registry afresh, as every second's first page does
					c.rates.mu.Unlock()
				}
				w := httptest.NewRecorder()
				c.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s = %d %.300s", p.path, w.Code, w.Body)
				}
			}
		})
	}
}
