package delivery

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// Three sender instances share many subscriptions through one consumer
// group; one is lost mid-stream without committing what it delivered; the
// other two take its partitions over. Every event reaches its subscription,
// verified; duplicates are counted (scaled down here; `engagehub bench`
// runs the full size).
func TestThreeSendersShareSubscriptionsAndALostOneLosesNothing(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	cfg.Topics.DeliverPartitions = 2
	const subs, per = 60, 10
	rcv, srv := testReceiver(t, nil, nil)
	eps := make([]Endpoint, subs)
	topics := make([]kafka.TopicSpec, subs)
	for i := range eps {
		id := fmt.Sprintf("s%02d", i)
		eps[i] = Endpoint{ID: id, URL: srv.URL + "/" + id, Secrets: []webhook.Secret{testSecret}, MaxInFlight: 4}
		topics[i] = kafka.TopicSpec{Name: cfg.Topics.DeliverPrefix + id, Partitions: 2}
	}
	if err := c.EnsureTopics(ctxFor(t), topics...); err != nil {
		t.Fatal(err)
	}
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })

	var instances []*instance
	for n := range 3 {
		instances = append(instances, startInstance(t, c, cfg, sink, eps, fmt.Sprintf("engagehub/i%d", n)))
	}
	eventually(t, 60*time.Second, func() bool {
		total := 0
		for _, in := range instances {
			n := len(in.feed.Owned())
			if n == 0 {
				return false
			}
			total += n
		}
		return total == 2*subs
	}, "the three instances sharing every partition")
	produceRound(t, c, cfg, eps, 0, per)
	if !rcv.Wait(60*time.Second, func(a []receiver.Arrival) bool { return len(a) >= subs*per/2 }) {
		t.Fatalf("before the loss: %d of %d delivered", len(rcv.Arrivals()), subs*per)
	}
	instances[1].kill()
	produceRound(t, c, cfg, eps, per, 2*per)

	want := subs * 2 * per
	if !rcv.Wait(90*time.Second, func(a []receiver.Arrival) bool { return distinctIDs(a) == want }) {
		t.Fatalf("lost events: %d of %d distinct delivered", distinctIDs(rcv.Arrivals()), want)
	}
	by := map[string]int{}
	for _, a := range rcv.Arrivals() {
		if !a.Verified {
			t.Fatalf("unverified arrival %s: %v", a.MsgID, a.Err)
		}
		by[a.Header.Get("User-Agent")]++
	}
	if len(by) < 3 {
		t.Fatalf("deliveries by instance = %v, want all three to have delivered", by)
	}
	all := len(rcv.Arrivals())
	t.Logf("3 instances, %d subscriptions, %d events, %d arrivals, %d duplicates, 0 lost; by instance %v",
		subs, want, all, all-want, by)
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// produceRound writes events [from, to) of every subscription, keyed over 7 contacts.
func produceRound(t *testing.T, c *kafka.Client, cfg Config, eps []Endpoint, from, to int) {
	t.Helper()
	var msgs []kafka.Message
	for _, ep := range eps {
		for i := from; i < to; i++ {
			msgs = append(msgs, record(cfg.Topics.DeliverPrefix+ep.ID, fmt.Sprintf("c%d", i%7), fmt.Sprintf("%s-%d", ep.ID, i)))
		}
	}
	w := c.NewWriter(kafka.WriterOptions{})
	defer func() { _ = w.Close() }()
	if err := w.WriteMessages(ctxFor(t), msgs...); err != nil {
		t.Fatal(err)
	}
}

func distinctIDs(a []receiver.Arrival) int {
	seen := map[string]bool{}
	for _, x := range a {
		seen[x.MsgID] = true
	}
	return len(seen)
}

// instance is one sender in a test: a Supervisor whose commits can be cut.
type instance struct {
	feed   *killable
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func startInstance(t *testing.T, c *kafka.Client, cfg Config, sink Sink, eps []Endpoint, ua string) *instance {
	t.Helper()
	deps := kafkaDeps(c, cfg, sink)
	in := &instance{feed: &killable{Feed: deps.Deliveries}, done: make(chan struct{})}
	deps.Deliveries, deps.UserAgent = in.feed, ua
	deps.Client, deps.Decoder = loopbackClient(), rawDecoder{}
	return in.run(t, cfg, deps, eps)
}

// run starts the instance's supervisor for eps.
func (in *instance) run(t *testing.T, cfg Config, deps Deps, eps []Endpoint) *instance {
	cfg.ShutdownTimeout = time.Nanosecond // a lost instance finishes nothing
	s := NewSupervisor(cfg, deps)
	s.Update(eps)
	var ctx context.Context
	ctx, in.cancel = context.WithCancel(context.Background())
	go func() { defer close(in.done); _ = s.Run(ctx) }()
	t.Cleanup(in.kill)
	return in
}

// leave stops the instance; what settled is committed.
func (in *instance) leave() {
	in.once.Do(func() {
		in.cancel()
		<-in.done
	})
}

// kill stops the instance without committing anything more.
func (in *instance) kill() {
	in.once.Do(func() {
		in.feed.killed.Store(true)
		in.cancel()
		<-in.done
	})
}
