package delivery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
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
	opts := kafka.ConsumerOptions{MaxWait: 100 * time.Millisecond, RejoinDelay: 50 * time.Millisecond, RejoinInterval: 200 * time.Millisecond, SessionTimeout: 6 * time.Second}
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
	admin := newTestAdmin(cfg, c, sink, staticLookup{"sub": ep}, "engage.")
	octx := ctxFor(t)

	var dl []DeadLetterView
	eventually(t, 30*time.Second, func() bool {
		dl, _ = admin.DeadLetters(octx, "sub", 100)
		return len(dl) == 1
	}, "dead letter listed")
	if d := dl[0]; d.EventID != "e1" || d.LastStatus != 400 || d.Attempts != 1 || !strings.HasPrefix(d.Error, "4xx") || d.Redriven {
		t.Fatalf("dead letter = %+v", d)
	}
	if n, err := admin.Redrive(octx, "sub", nil); err != nil || n != 1 {
		t.Fatalf("redrive = %d, %v; want 1", n, err)
	}
	if dl, err := admin.DeadLetters(octx, "sub", 100); err != nil || len(dl) != 1 || !dl[0].Redriven {
		t.Fatalf("dead letters after redrive = %+v, %v; want the one marked redriven", dl, err)
	}
	waitArrivals(t, rcv, 2)
	if a := rcv.Arrivals()[1]; a.MsgID != "msg_e1" || a.Status != 200 || !a.Verified {
		t.Fatalf("redriven arrival = %s status %d verified %v", a.MsgID, a.Status, a.Verified)
	}
	if n, err := admin.Redrive(octx, "sub", nil); err != nil || n != 0 {
		t.Fatalf("second redrive = %d, %v; want nothing left to redrive", n, err)
	}
	var at []Attempt
	eventually(t, 30*time.Second, func() bool {
		at, _ = admin.Attempts(octx, "sub", 100)
		return len(at) == 2
	}, "two attempts logged")
	if a := at[0]; a.EventID != "e1" || a.Status != 400 || a.Outcome != "dead_letter" {
		t.Fatalf("first attempt = %+v", a)
	}
}

func TestAdminOperationsRefuseAnUnknownSubscription(t *testing.T) {
	t.Parallel()
	admin := NewAdmin(testConfig(), nil, nil, staticLookup{"sub": {ID: "sub"}}, loopbackClient(), "engage.", "ua", zap.NewNop())
	ctx := context.Background()
	ops := map[string]func() error{
		"attempts":     func() error { _, err := admin.Attempts(ctx, "nope", 1); return err },
		"dead letters": func() error { _, err := admin.DeadLetters(ctx, "nope", 1); return err },
		"redrive":      func() error { _, err := admin.Redrive(ctx, "nope", nil); return err },
		"replay":       func() error { _, err := admin.Replay(ctx, "nope", time.Now(), nil); return err },
		"ping":         func() error { _, err := admin.Ping(ctx, "nope"); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			if err := op(); !errors.Is(err, ErrUnknownSubscription) || !strings.Contains(err.Error(), "nope") {
				t.Fatalf("%s = %v, want ErrUnknownSubscription naming nope", name, err)
			}
		})
	}
}

func TestRedriveByIDMarksOnlyThoseDeadLettersRedriven(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	dlq := cfg.Topics.DLQPrefix + "sub"
	at := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano)
	var dead []kafka.Message
	for _, id := range []string{"e1", "e2", "e3"} {
		m := record(dlq, "c-"+id, id)
		m.Headers = append(m.Headers, kafka.Header{Key: event.HeaderDLQAt, Value: []byte(at)}, kafka.Header{Key: event.HeaderDLQStatus, Value: []byte("400")})
		dead = append(dead, m)
	}
	produce(t, c, dead)
	if err := c.EnsureTopics(ctxFor(t), kafka.TopicSpec{Name: cfg.Topics.DeliverPrefix + "sub"}); err != nil {
		t.Fatal(err)
	}
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })
	admin := newTestAdmin(cfg, c, sink, staticLookup{"sub": {ID: "sub"}}, "engage.")
	ctx := ctxFor(t)
	if n, err := admin.Redrive(ctx, "sub", []string{"e2"}); err != nil || n != 1 {
		t.Fatalf("redrive e2 = %d, %v; want 1", n, err)
	}
	dl, err := admin.DeadLetters(ctx, "sub", 100)
	if err != nil || len(dl) != 3 {
		t.Fatalf("dead letters = %+v, %v; want the 3 (the marker is not one)", dl, err)
	}
	for _, d := range dl {
		if want := d.EventID == "e2"; d.Redriven != want || (d.RedrivenAt != nil) != want {
			t.Fatalf("%s: redriven %v at %v, want %v", d.EventID, d.Redriven, d.RedrivenAt, want)
		}
	}
	copies := readTopic(t, c, cfg.Topics.DeliverPrefix+"sub")
	if len(copies) != 1 || header(copies[0], event.HeaderEventID) != "e2" {
		t.Fatalf("delivery topic holds %d records, want e2 alone", len(copies))
	}
	if n, err := admin.Redrive(ctx, "sub", nil); err != nil || n != 3 {
		t.Fatalf("redrive all = %d, %v; want the 3 dead letters and no marker", n, err)
	}
}
