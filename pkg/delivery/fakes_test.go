package delivery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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
	commits   int            // Commit calls, every group
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

func (b *memBroker) Pending(_ context.Context, topic, group string) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return int64(len(b.topics[topic])) - b.committed[group+"|"+topic], nil
}

func (b *memBroker) Ensure(context.Context, int, ...string) error { return nil }

func (b *memBroker) Topics(_ context.Context, prefix string) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for name := range b.topics {
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	return out, nil
}

func (f *memFeed) HighWatermarks() map[kafka.TopicPartition]int64 {
	owned := f.Owned()
	f.b.mu.Lock()
	defer f.b.mu.Unlock()
	out := map[kafka.TopicPartition]int64{}
	for _, tp := range owned {
		out[tp] = int64(len(f.b.topics[tp.Topic]))
	}
	return out
}

// memFeed is a Feed over a memBroker: one member that owns every
// partition label it meets, hands records one at a time while Ready, and
// commits per topic (memBroker offsets are one sequence per topic).
type memFeed struct {
	b     *memBroker
	group string
	wake  chan struct{}

	mu       sync.Mutex
	topics   []string
	next     map[string]int64
	assigned map[kafka.TopicPartition]bool
}

func (b *memBroker) feed(group string) *memFeed {
	return &memFeed{b: b, group: group, wake: make(chan struct{}, 1), next: map[string]int64{}, assigned: map[kafka.TopicPartition]bool{}}
}

func (f *memFeed) SetTopics(topics []string) {
	f.mu.Lock()
	f.topics = append([]string(nil), topics...)
	f.mu.Unlock()
	f.Wake()
}

func (f *memFeed) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *memFeed) Run(ctx context.Context, h kafka.ConsumerHandler) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		f.b.mu.Lock()
		changed := f.b.changed
		f.b.mu.Unlock()
		f.mu.Lock()
		topics := f.topics
		f.mu.Unlock()
		for _, topic := range topics {
			f.drain(ctx, h, topic)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		case <-f.wake:
		case <-tick.C:
		}
	}
}

// drain hands over topic's records from the member's position while Ready.
func (f *memFeed) drain(ctx context.Context, h kafka.ConsumerHandler, topic string) {
	for ctx.Err() == nil {
		f.b.mu.Lock()
		pos, ok := f.next[topic]
		if !ok {
			pos = f.b.committed[f.group+"|"+topic]
		}
		log := f.b.topics[topic]
		f.b.mu.Unlock()
		if pos >= int64(len(log)) {
			return
		}
		m := log[pos]
		tp := kafka.TopicPartition{Topic: topic, Partition: m.Partition}
		f.mu.Lock()
		fresh := !f.assigned[tp]
		f.assigned[tp] = true
		f.mu.Unlock()
		if fresh {
			h.Assigned(ctx, []kafka.TopicPartition{tp})
		}
		if !h.Ready(tp) {
			return
		}
		f.b.mu.Lock()
		f.next[topic] = pos + 1
		f.b.fetches[topic]++
		f.b.mu.Unlock()
		h.Records(tp, []kafka.Message{m})
	}
}

func (f *memFeed) Commit(offsets map[kafka.TopicPartition]int64) error {
	f.b.mu.Lock()
	defer f.b.mu.Unlock()
	f.b.commits++
	for tp, off := range offsets {
		k := f.group + "|" + tp.Topic
		f.b.committed[k] = max(f.b.committed[k], off+1)
	}
	return nil
}

func (f *memFeed) Owned() []kafka.TopicPartition {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []kafka.TopicPartition
	for tp := range f.assigned {
		out = append(out, tp)
	}
	return out
}

func (f *memFeed) Close() error { return nil }

func (f *memFeed) Member() bool { return true }

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

// loopbackClient may reach the httptest receiver on 127.0.0.1. It is
// the sender's default client, over the fast transport; stdLoopbackClient
// is the same over net/http's.
func loopbackClient() *http.Client {
	c := stdLoopbackClient()
	c.Transport = webhook.NewFastTransport(c.Transport.(*http.Transport))
	return c
}

func stdLoopbackClient() *http.Client {
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

// testSender is a Supervisor running one subscription in a test.
type testSender struct {
	s    *Supervisor
	id   string
	done chan struct{}
}

// worker is the subscription's worker, once the supervisor made it.
func (ts *testSender) worker(t *testing.T) *Worker {
	t.Helper()
	var w *Worker
	eventually(t, 5*time.Second, func() bool {
		ts.s.mu.Lock()
		defer ts.s.mu.Unlock()
		w = ts.s.workers[ts.id]
		return w != nil
	}, "worker "+ts.id)
	return w
}

// disabled reports whether the subscription's worker disabled it and
// stopped: the disabler was called and the operational event written.
func (ts *testSender) disabled() bool {
	ts.s.mu.Lock()
	defer ts.s.mu.Unlock()
	w := ts.s.workers[ts.id]
	return w != nil && w.disabled.Load() && w.ctx.Err() != nil // disabled, and done disabling (it stops last)
}

// runWorker runs a supervisor with the one subscription ep ("sub" unless
// named) at its url, over memBroker feeds when deps has none, and stops it
// at cleanup (or when stop is called).
func runWorker(t *testing.T, cfg Config, ep Endpoint, deps Deps) (ts *testSender, stop func()) {
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
	if b, ok := deps.Broker.(*memBroker); ok && deps.Deliveries == nil {
		deps.Deliveries, deps.Tiers = b.feed(cfg.Topics.Group), b.feed(cfg.TierGroup())
	}
	s := NewSupervisor(cfg, deps)
	s.Update([]Endpoint{ep})
	ctx, cancel := context.WithCancel(context.Background())
	ts = &testSender{s: s, id: ep.ID, done: make(chan struct{})}
	go func() { _ = s.Run(ctx); close(ts.done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-ts.done }) }
	t.Cleanup(stop)
	return ts, stop
}

// Uncommitted reads what group has not committed on topic.
func (b *memBroker) Uncommitted(_ context.Context, topic, group string, visit func(kafka.Message)) error {
	b.mu.Lock()
	recs := append([]kafka.Message(nil), b.topics[topic][b.committed[group+"|"+topic]:]...)
	b.mu.Unlock()
	for _, m := range recs {
		visit(m)
	}
	return nil
}
