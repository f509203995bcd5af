package fanout

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/kafkatable"
	"github.com/engagehub/engagehub/pkg/telemetry"
)

// The Kafka-backed tests below are a conformance harness: they take a
// client from kafkatest and run unchanged against the embedded broker
// (always) and against real Apache Kafka when ENGAGEHUB_TEST_KAFKA_BROKERS
// lists brokers. Every run uses fresh topic names and groups
// (kafkatest.Topic), so a shared cluster is fine.

// testClient returns a client for real Kafka when configured, otherwise
// for an embedded broker in a temp dir.
func testClient(tb testing.TB) *kafka.Client {
	tb.Helper()
	return kafkatest.Client(tb)
}

// env is one test's namespace on the cluster.
type env struct {
	client         *kafka.Client
	eventPrefix    string
	deliveryPrefix string
	group          string
	tracer         *telemetry.Tracer // nil: tracing off
}

func newEnv(tb testing.TB, client *kafka.Client) env {
	ns := kafkatest.Topic(tb, "t")
	return env{client: client, eventPrefix: ns + ".engage.", deliveryPrefix: ns + ".deliver.", group: ns + "-fanout"}
}

// openStore opens a subscription store on the cluster and follows it.
func (e env) openStore(ctx context.Context, tb testing.TB) *subscription.Store {
	tb.Helper()
	cfg := subscription.DefaultConfig()
	cfg.Topic = strings.TrimSuffix(e.eventPrefix, ".engage.") + ".subscriptions"
	cfg.DeliveryPrefix = e.deliveryPrefix
	c, err := subscription.NewCipher(strings.Repeat("ab", 32))
	if err != nil {
		tb.Fatal(err)
	}
	s, err := subscription.Open(ctx, kafkatable.Opener(e.client, cfg.Topic), cfg, c, subscription.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = s.Run(ctx) }()
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// start runs a fan-out instance until ctx is done; the returned channel
// closes when Run has returned.
func (e env) start(ctx context.Context, m *subscription.Matcher, src Source, sink Sink) (*Fanout, <-chan struct{}) {
	cfg := DefaultConfig()
	cfg.Group, cfg.ShutdownTimeout, cfg.RetryBackoff = e.group, 300*time.Millisecond, 50*time.Millisecond
	f := NewKafka(e.client, cfg, Deps{Source: src, Sink: sink, Matcher: m, EventPrefix: e.eventPrefix, DeliveryPrefix: e.deliveryPrefix,
		Tracer: e.tracer})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
		_ = f.Close()
	}()
	return f, done
}

// produced is one test event.
type produced struct {
	id, typ, contact string
	seq              int
}

// produce writes events to their type's topic with the headers ingest sets.
func (e env) produce(ctx context.Context, tb testing.TB, events []produced) {
	tb.Helper()
	e.produceRecords(ctx, tb, e.messages(events))
}

// messages are the records of events, with fake values.
func (e env) messages(events []produced) []kafka.Message {
	msgs := make([]kafka.Message, 0, len(events))
	for _, ev := range events {
		msgs = append(msgs, kafka.Message{
			Topic: e.eventPrefix + ev.typ, Key: []byte(ev.contact), Value: []byte("value-" + ev.id),
			Headers: []kafka.Header{{Key: event.HeaderEventID, Value: []byte(ev.id)}, {Key: event.HeaderEventType, Value: []byte(ev.typ)},
				{Key: "seq", Value: []byte(strconv.Itoa(ev.seq))}},
		})
	}
	return msgs
}

// produceRecords writes msgs in chunks.
func (e env) produceRecords(ctx context.Context, tb testing.TB, msgs []kafka.Message) {
	tb.Helper()
	w := e.client.NewWriter(kafka.WriterOptions{})
	defer w.Close()
	for len(msgs) > 0 {
		n := min(500, len(msgs))
		if err := w.WriteMessages(ctx, msgs[:n]...); err != nil {
			tb.Fatal(err)
		}
		msgs = msgs[n:]
	}
}

func (e env) ensureEventTopics(ctx context.Context, tb testing.TB) {
	tb.Helper()
	var specs []kafka.TopicSpec
	for _, t := range event.Topics(e.eventPrefix) {
		specs = append(specs, kafka.TopicSpec{Name: t})
	}
	if err := e.client.EnsureTopics(ctx, specs...); err != nil {
		tb.Fatal(err)
	}
}

// copyRecord is one record read back from a destination topic.
type copyRecord struct {
	id, contact, subscription string
	seq                       int
	value                     string
	traceparent               string
}

// readTopic returns every record of topic, partition by partition in
// offset order; a missing topic reads as empty.
func (e env) readTopic(ctx context.Context, tb testing.TB, topic string) []copyRecord {
	tb.Helper()
	ends, err := e.client.Ends(ctx, topic)
	if err != nil {
		return nil
	}
	var out []copyRecord
	for _, pe := range ends {
		if pe.Next <= pe.First {
			continue
		}
		r, err := e.client.NewPartitionReader(topic, pe.Partition, pe.First, kafka.ReaderOptions{MaxWait: 50 * time.Millisecond})
		if err != nil {
			tb.Fatal(err)
		}
		for {
			m, err := r.Fetch(ctx)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, toCopyRecord(m))
			if m.Offset >= pe.Next-1 {
				break
			}
		}
		_ = r.Close()
	}
	return out
}

func toCopyRecord(m kafka.Message) copyRecord {
	c := copyRecord{contact: string(m.Key), value: string(m.Value)}
	for _, h := range m.Headers {
		switch h.Key {
		case event.HeaderEventID:
			c.id = string(h.Value)
		case event.HeaderSubscription:
			c.subscription = string(h.Value)
		case "seq":
			c.seq, _ = strconv.Atoi(string(h.Value))
		case telemetry.HeaderTraceParent:
			c.traceparent = string(h.Value)
		}
	}
	return c
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			tb.Fatalf("timed out waiting for %s", what)
		case <-t.C:
		}
	}
}

// distinctIDs returns the set of event ids among records.
func distinctIDs(recs []copyRecord) map[string]bool {
	out := map[string]bool{}
	for _, r := range recs {
		out[r.id] = true
	}
	return out
}

// countingSink counts acknowledged copies.
type countingSink struct {
	Sink
	mu       sync.Mutex
	n        int
	first    time.Time
	firstCPU time.Duration // processCPU at first
}

func (s *countingSink) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	if s.first.IsZero() {
		s.first, s.firstCPU = time.Now(), processCPU()
	}
	s.mu.Unlock()
	if err := s.Sink.WriteMessages(ctx, msgs...); err != nil {
		return err
	}
	s.mu.Lock()
	s.n += len(msgs)
	s.mu.Unlock()
	return nil
}

func (s *countingSink) count() int { s.mu.Lock(); defer s.mu.Unlock(); return s.n }

func webhookSub(id string, types ...string) subscription.Subscription {
	return subscription.Subscription{ID: id, EventTypes: types, Enabled: true,
		Destination: subscription.Destination{Type: subscription.DestinationWebhook, URL: "https://" + id + ".example/hook"}}
}

func events(n int, typ string, contacts int, idPrefix string) []produced {
	out := make([]produced, n)
	for i := range out {
		out[i] = produced{id: fmt.Sprintf("%s-%d", idPrefix, i), typ: typ, contact: fmt.Sprintf("c%d", i%contacts), seq: i}
	}
	return out
}
