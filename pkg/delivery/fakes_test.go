package delivery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// memBroker is an in-memory, single-partition log with consumer groups: a
// Broker and a Sink for unit tests.
type memBroker struct {
	mu        sync.Mutex
	topics    map[string][]kafka.Message
	committed map[string]int64
	fetches   map[string]int // records fetched, by topic
	changed   chan struct{}
}

func newMemBroker() *memBroker {
	return &memBroker{topics: map[string][]kafka.Message{}, committed: map[string]int64{}, fetches: map[string]int{}, changed: make(chan struct{})}
}

func (b *memBroker) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	b.writeTo(0, msgs...)
	return nil
}

// writeTo appends msgs labelled as records of partition p (offsets stay one
// sequence per topic): a record from a partition the reader has not seen.
func (b *memBroker) writeTo(p int, msgs ...kafka.Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range msgs {
		m.Offset = int64(len(b.topics[m.Topic]))
		m.Partition = p
		b.topics[m.Topic] = append(b.topics[m.Topic], m)
	}
	close(b.changed)
	b.changed = make(chan struct{})
}

func (b *memBroker) records(topic string) []kafka.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]kafka.Message(nil), b.topics[topic]...)
}

func (b *memBroker) fetched(topic string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fetches[topic]
}

func (b *memBroker) Open(_ context.Context, topic, group string) (Source, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return &memSource{b: b, topic: topic, group: group, next: b.committed[group+"|"+topic]}, nil
}

func (b *memBroker) Pending(_ context.Context, topic, group string) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return int64(len(b.topics[topic])) - b.committed[group+"|"+topic], nil
}

func (b *memBroker) Ensure(context.Context, string) error { return nil }

type memSource struct {
	b            *memBroker
	topic, group string
	next         int64
}

func (s *memSource) Fetch(ctx context.Context) (kafka.Message, error) {
	for {
		s.b.mu.Lock()
		log, ch := s.b.topics[s.topic], s.b.changed
		if s.next < int64(len(log)) {
			m := log[s.next]
			s.next++
			s.b.fetches[s.topic]++
			s.b.mu.Unlock()
			return m, nil
		}
		s.b.mu.Unlock()
		select {
		case <-ctx.Done():
			return kafka.Message{}, ctx.Err()
		case <-ch:
		}
	}
}

func (s *memSource) Commit(_ context.Context, msgs ...kafka.Message) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	for _, m := range msgs {
		k := s.group + "|" + m.Topic
		s.b.committed[k] = max(s.b.committed[k], m.Offset+1)
	}
	return nil
}

func (s *memSource) Close() error { return nil }

// fakeClock only moves when Advance is called.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []clockWaiter
}

type clockWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, clockWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

// Advance moves time forward, firing every waiter that is due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
			continue
		}
		kept = append(kept, w)
	}
	c.waiters = kept
}

// waitWaiters polls until at least n timers wait on the clock.
func (c *fakeClock) waitWaiters(t *testing.T, n int) {
	t.Helper()
	eventually(t, 5*time.Second, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.waiters) >= n
	}, fmt.Sprintf("%d clock waiters", n))
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond) // polling with a deadline, not a logic sleep
	}
}

// rawDecoder treats the record value as the envelope JSON itself.
type rawDecoder struct{}

func (rawDecoder) Body(_ context.Context, v []byte) ([]byte, error) { return v, nil }

var testSecret = webhook.Secret("engagehub-test-secret-0123456789")

// testReceiver starts an httptest server with a verifying receiver.
func testReceiver(t *testing.T, script receiver.Script, now func() time.Time) (*receiver.Receiver, *httptest.Server) {
	t.Helper()
	v, err := webhook.NewVerifier([]webhook.Secret{testSecret}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	r := receiver.New(receiver.Options{Verifier: v, Script: script, Now: now})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

// loopbackClient may reach the httptest receiver on 127.0.0.1.
func loopbackClient() *http.Client {
	nets, _ := webhook.ParseNetworks([]string{"127.0.0.0/8"})
	return webhook.NewHTTPClient(webhook.DialPolicy{Allow: nets}, 0, 64)
}

// record returns a delivery-topic record for contact with the given event id.
func record(topic, contact, id string) kafka.Message {
	body := fmt.Sprintf(`{"id":%q,"eventType":"contact.updated","payload":{"contactId":%q,"x":"unknown-field"}}`, id, contact)
	return kafka.Message{Topic: topic, Key: []byte(contact), Value: []byte(body), Headers: []kafka.Header{
		{Key: event.HeaderEventID, Value: []byte(id)}, {Key: event.HeaderEventType, Value: []byte("contact.updated")},
		{Key: event.HeaderSubscription, Value: []byte("sub")}}}
}

// testConfig is DefaultConfig with no jitter and a small buffer.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.RetryJitter = 0
	cfg.MaxBuffered = 200
	cfg.ShutdownTimeout = 2 * time.Second
	return cfg
}

// runWorker starts a worker for a subscription "sub" at url and stops it at cleanup.
func runWorker(t *testing.T, cfg Config, ep Endpoint, deps Deps) (*Worker, <-chan error, context.CancelFunc) {
	t.Helper()
	if ep.ID == "" {
		ep.ID = "sub"
	}
	ep.Secrets = []webhook.Secret{testSecret}
	if deps.Client == nil {
		deps.Client = loopbackClient()
	}
	if deps.Decoder == nil {
		deps.Decoder = rawDecoder{}
	}
	w, err := NewWorker(cfg, ep, deps)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc, done := make(chan error, 1), make(chan struct{})
	go func() { errc <- w.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return w, errc, cancel
}

// Uncommitted makes memBroker a Backlog.
func (b *memBroker) Uncommitted(_ context.Context, topic, group string, visit func(kafka.Message)) error {
	b.mu.Lock()
	recs := append([]kafka.Message(nil), b.topics[topic][b.committed[group+"|"+topic]:]...)
	b.mu.Unlock()
	for _, m := range recs {
		visit(m)
	}
	return nil
}
