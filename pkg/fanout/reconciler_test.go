package fanout

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (e env) topicExists(ctx context.Context, tb testing.TB, topic string) bool {
	tb.Helper()
	topics, err := e.client.Topics(ctx, topic)
	if err != nil {
		tb.Fatal(err)
	}
	return slices.Contains(topics, topic)
}

func TestReconcilerCreatesTopicsAndRetiresThemAfterTheGraceEvenAcrossRestarts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t, testClient(t))
	store := e.openStore(ctx, t)
	clk := &testClock{t: time.Now()}
	rec := NewReconciler(store, e.client, time.Minute, clk.now, nil).AlsoRetire(e.deliveryPrefix + "dlq.")
	ksub := subscription.Subscription{ID: "team", EventTypes: []string{"*"}, Enabled: true,
		Destination: subscription.Destination{Type: subscription.DestinationKafka, Topic: e.eventPrefix[:9] + "team-topic"}}
	for _, s := range []subscription.Subscription{webhookSub("hook", "*"), ksub} {
		if _, _, err := store.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	hookTopic := e.deliveryPrefix + "hook"
	dlqTopic := e.deliveryPrefix + "dlq.hook"
	if !e.topicExists(ctx, t, hookTopic) || !e.topicExists(ctx, t, ksub.Destination.Topic) {
		t.Fatal("delivery or kafka-destination topic not created")
	}
	if err := e.client.EnsureTopics(ctx, kafka.TopicSpec{Name: dlqTopic}); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, "hook"); err != nil {
		t.Fatal(err)
	}
	clk.add(subscription.DefaultDeleteGrace - time.Second)
	if err := rec.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if !e.topicExists(ctx, t, hookTopic) {
		t.Fatal("delivery topic deleted before the grace period ended")
	}

	restarted := NewReconciler(e.openStore(ctx, t), e.client, time.Minute, clk.now, nil).AlsoRetire(e.deliveryPrefix + "dlq.")
	clk.add(time.Minute) // the store stamps deletions with the real clock: step well past the grace
	if err := restarted.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "delivery and dead-letter topics deleted after the grace period (after a restart)", func() bool {
		return !e.topicExists(ctx, t, hookTopic) && !e.topicExists(ctx, t, dlqTopic)
	})
	waitFor(ctx, t, "deletion marker removed", func() bool { return len(store.Deletions()) == 0 })
}

func TestReconcilerMarksOrphanedDeliveryTopics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t, testClient(t))
	store := e.openStore(ctx, t)
	clk := &testClock{t: time.Now()}
	orphan := e.deliveryPrefix + "ghost"
	if err := e.client.EnsureTopics(ctx, kafka.TopicSpec{Name: orphan}, kafka.TopicSpec{Name: orphan + ".not-a-delivery-topic"}); err != nil {
		t.Fatal(err)
	}
	rec := NewReconciler(store, e.client, time.Minute, clk.now, nil)
	if err := rec.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.Deletions()["ghost"]; !ok || len(store.Deletions()) != 1 {
		t.Fatalf("Deletions = %v, want only ghost", store.Deletions())
	}
	clk.add(subscription.DefaultDeleteGrace)
	if err := rec.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "orphan deleted after the grace", func() bool { return !e.topicExists(ctx, t, orphan) })
	if !e.topicExists(ctx, t, orphan+".not-a-delivery-topic") {
		t.Fatal("an unrelated topic was deleted")
	}
}

// After a subscription change the reconciler creates only the topics of
// subscriptions it has not ensured yet and lists no topics: a burst of
// changes among many subscriptions asks the broker for little. A full
// pass (start, interval) still ensures every topic.
func TestReconcilerAfterAChangeEnsuresOnlyTheNewTopics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t, testClient(t))
	store := e.openStore(ctx, t)
	for i := range 5 {
		if _, _, err := store.Create(ctx, webhookSub(fmt.Sprintf("old%d", i), "*")); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(ctx, t, "the store has them", func() bool { return len(store.List()) == 5 })
	admin := &countingAdmin{TopicAdmin: e.client}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- NewReconciler(store, admin, time.Hour, nil, nil).Run(runCtx) }()
	waitFor(ctx, t, "the first full pass", func() bool { return admin.ensured() == 5 })
	if _, _, err := store.Create(ctx, webhookSub("new", "*")); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the new subscription's topic", func() bool { return e.topicExists(ctx, t, e.deliveryPrefix+"new") })
	waitFor(ctx, t, "the pass after the change", func() bool { return admin.ensured() >= 6 })
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if calls, listed := admin.counts(); calls != 2 || admin.ensured() != 6 || listed != 1 {
		t.Fatalf("EnsureTopics calls %d for %d topics, Topics calls %d; want 2 for 6 (a full pass, then the new topic only) and 1 (the full pass)", calls, admin.ensured(), listed)
	}
}

// countingAdmin counts the topics asked for and the listings.
type countingAdmin struct {
	TopicAdmin
	mu                      sync.Mutex
	calls, topics, listings int
}

func (a *countingAdmin) EnsureTopics(ctx context.Context, specs ...kafka.TopicSpec) error {
	a.mu.Lock()
	a.calls++
	a.topics += len(specs)
	a.mu.Unlock()
	return a.TopicAdmin.EnsureTopics(ctx, specs...)
}

func (a *countingAdmin) Topics(ctx context.Context, prefix string) ([]string, error) {
	a.mu.Lock()
	a.listings++
	a.mu.Unlock()
	return a.TopicAdmin.Topics(ctx, prefix)
}

func (a *countingAdmin) ensured() int { a.mu.Lock(); defer a.mu.Unlock(); return a.topics }
func (a *countingAdmin) counts() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls, a.listings
}
