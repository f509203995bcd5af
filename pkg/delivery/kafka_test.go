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

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// kafkaConfig is testConfig with every topic and group name unique to the
// test, so that it can run on a shared real broker (kafkatest).
func kafkaConfig(t testing.TB) Config {
	cfg := testConfig()
	u := kafkatest.Topic(t, "engagehub")
	cfg.Topics = TopicsConfig{DeliverPrefix: u + ".deliver.", RetryPrefix: u + ".retry.", DLQPrefix: u + ".dlq.",
		Attempts: u + ".attempts", Operational: u + ".operational", Group: u + "-sender"}
	return cfg
}

func produce(t testing.TB, c *kafka.Client, msgs []kafka.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.EnsureTopics(ctx, kafka.TopicSpec{Name: msgs[0].Topic}); err != nil {
		t.Fatal(err)
	}
	w := c.NewWriter(kafka.WriterOptions{})
	defer func() { _ = w.Close() }()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

// kafkaDeps consumes through real group members over c.
func kafkaDeps(c *kafka.Client, cfg Config, sink Sink) Deps {
	opts := kafka.ConsumerOptions{MaxWait: 100 * time.Millisecond, RejoinDelay: 50 * time.Millisecond, SessionTimeout: 6 * time.Second}
	return Deps{Deliveries: c.NewGroupConsumer(cfg.Topics.Group, opts), Tiers: c.NewGroupConsumer(cfg.TierGroup(), opts),
		Broker: NewKafkaBroker(c), Sink: sink}
}

// killable drops every commit once killed: the process "exits" without
// committing what it delivered.
type killable struct {
	Feed
	killed atomic.Bool
}

func (k *killable) Commit(offsets map[kafka.TopicPartition]int64) error {
	if k.killed.Load() {
		return nil
	}
	return k.Feed.Commit(offsets)
}

func TestKillMidStreamLosesNothing(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	const total = 600
	var msgs []kafka.Message
	for i := range total {
		msgs = append(msgs, record(cfg.Topics.DeliverPrefix+"sub", fmt.Sprintf("c%d", i%40), fmt.Sprintf("e%d", i)))
	}
	produce(t, c, msgs)
	rcv, srv := testReceiver(t, nil, nil)
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })
	deps := kafkaDeps(c, cfg, sink)
	kb := &killable{Feed: deps.Deliveries}
	deps.Deliveries = kb
	killCfg := cfg
	killCfg.ShutdownTimeout = time.Nanosecond // hard stop at once
	_, cancel := runWorker(t, killCfg, Endpoint{URL: srv.URL, MaxInFlight: 8}, deps)
	if !rcv.Wait(60*time.Second, func(a []receiver.Arrival) bool { return len(a) >= total/3 }) {
		t.Fatalf("first run delivered only %d", len(rcv.Arrivals()))
	}
	kb.killed.Store(true)
	cancel()
	first := len(rcv.Arrivals())

	runWorker(t, cfg, Endpoint{URL: srv.URL, MaxInFlight: 8}, kafkaDeps(c, cfg, sink))
	distinct := func(a []receiver.Arrival) int {
		seen := map[string]bool{}
		for _, x := range a {
			seen[x.MsgID] = true
		}
		return len(seen)
	}
	if !rcv.Wait(60*time.Second, func(a []receiver.Arrival) bool { return distinct(a) == total }) {
		t.Fatalf("lost events: %d of %d distinct delivered", distinct(rcv.Arrivals()), total)
	}
	all := rcv.Arrivals()
	for _, a := range all {
		if !a.Verified {
			t.Fatalf("unverified arrival %s: %v", a.MsgID, a.Err)
		}
	}
	t.Logf("kill test: %d events, %d delivered before the kill, %d arrivals in all, %d duplicates, 0 lost",
		total, first, len(all), len(all)-total)
}

type staticLookup map[string]Endpoint

func (l staticLookup) Endpoint(id string) (Endpoint, bool) { ep, ok := l[id]; return ep, ok }

func TestDeadLetterRedrivenAndDelivered(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	produce(t, c, []kafka.Message{record(cfg.Topics.DeliverPrefix+"sub", "c1", "e1")})
	rcv, srv := testReceiver(t, statuses(400, 200), nil)
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })
	broker := NewKafkaBroker(c)
	alog := NewAttemptLog(cfg.Topics.Attempts, sink, 100, NewMetrics(nil), zap.NewNop())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := broker.Ensure(ctx, 0, cfg.Topics.Attempts); err != nil {
		t.Fatal(err)
	}
	go func() { _ = alog.Run(ctx) }()
	deps := kafkaDeps(c, cfg, sink)
	deps.Attempts = alog
	runWorker(t, cfg, Endpoint{URL: srv.URL}, deps)

	ep := Endpoint{ID: "sub", URL: srv.URL, Secrets: nil}
	admin := NewAdmin(cfg, c, sink, staticLookup{"sub": ep}, loopbackClient(), "engage.", "engagehub/test", zap.NewNop())
	router := httpapi.NewRouter(httpapi.NewAuth([]string{"tok"}))
	router.Handle(admin.Routes()...)
	api := httptest.NewServer(router)
	t.Cleanup(api.Close)

	var dl struct{ DeadLetters []DeadLetterView }
	eventually(t, 30*time.Second, func() bool {
		call(t, api.URL, "GET", "/v1/subscriptions/sub/dead-letters", "", &dl)
		return len(dl.DeadLetters) == 1
	}, "dead letter listed")
	if d := dl.DeadLetters[0]; d.EventID != "e1" || d.LastStatus != 400 || d.Attempts != 1 || !strings.HasPrefix(d.Error, "4xx") {
		t.Fatalf("dead letter = %+v", d)
	}
	var rd struct{ Redriven int }
	if code := call(t, api.URL, "POST", "/v1/subscriptions/sub/dead-letters/redrive", "", &rd); code != 202 || rd.Redriven != 1 {
		t.Fatalf("redrive = %d %+v, want 202 with 1", code, rd)
	}
	waitArrivals(t, rcv, 2)
	if a := rcv.Arrivals()[1]; a.MsgID != "msg_e1" || a.Status != 200 || !a.Verified {
		t.Fatalf("redriven arrival = %s status %d verified %v", a.MsgID, a.Status, a.Verified)
	}
	if code := call(t, api.URL, "POST", "/v1/subscriptions/sub/dead-letters/redrive", "", &rd); code != 202 || rd.Redriven != 0 {
		t.Fatalf("second redrive = %d %+v, want nothing left to redrive", code, rd)
	}
	var at struct{ Attempts []Attempt }
	eventually(t, 30*time.Second, func() bool {
		call(t, api.URL, "GET", "/v1/subscriptions/sub/attempts", "", &at)
		return len(at.Attempts) == 2
	}, "two attempts logged")
	if a := at.Attempts[0]; a.EventID != "e1" || a.Status != 400 || a.Outcome != "dead_letter" {
		t.Fatalf("first attempt = %+v", a)
	}
}

func TestAdminRoutesRejectUnknownAndBadInput(t *testing.T) {
	t.Parallel()
	admin := NewAdmin(testConfig(), nil, nil, staticLookup{"sub": {ID: "sub"}}, loopbackClient(), "engage.", "ua", zap.NewNop())
	router := httpapi.NewRouter(httpapi.NewAuth([]string{"tok"}))
	router.Handle(admin.Routes()...)
	api := httptest.NewServer(router)
	t.Cleanup(api.Close)
	cases := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"unknown subscription", "GET", "/v1/subscriptions/nope/attempts", "", 404, "nope"},
		{"replay without since", "POST", "/v1/subscriptions/sub/replay", `{}`, 422, "since"},
		{"replay bad since", "POST", "/v1/subscriptions/sub/replay", `{"since":"yesterday"}`, 422, "since"},
		{"redrive bad json", "POST", "/v1/subscriptions/sub/dead-letters/redrive", `{`, 400, "body"},
		{"redrive empty id", "POST", "/v1/subscriptions/sub/dead-letters/redrive", `{"eventIds":[""]}`, 422, "eventIds[0]"},
		{"bad limit", "GET", "/v1/subscriptions/sub/dead-letters?limit=0", "", 400, "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e httpapi.ErrorBody
			if code := call(t, api.URL, tc.method, tc.path, tc.body, &e); code != tc.status || !strings.Contains(e.Error.Message, tc.field) {
				t.Fatalf("%s %s = %d %+v, want %d naming %q", tc.method, tc.path, code, e, tc.status, tc.field)
			}
		})
	}
}

func call(t *testing.T, base, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	_ = json.NewDecoder(resp.Body).Decode(out)
	return resp.StatusCode
}
