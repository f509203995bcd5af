package fanout

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

func TestOverlappingSubscriptionsGetExactlyTheMatchingEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t, testClient(t))
	e.ensureEventTopics(ctx, t)
	store := e.openStore(ctx, t)
	subs := map[string][]string{"all": {"*"}, "contacts": {"contact.*"}, "points": {"point.balance.updated", "contact.created"}}
	for id, types := range subs {
		if _, _, err := store.Create(ctx, webhookSub(id, types...)); err != nil {
			t.Fatal(err)
		}
	}
	var evs []produced
	for _, typ := range []event.Type{event.ContactCreated, event.ContactAcceptsSmsChanged, event.PointBalanceUpdated, event.RewardVoucherCreated} {
		evs = append(evs, events(40, string(typ), 7, string(typ))...)
	}
	evs = append(evs, produced{id: "odd-1", typ: "custom.thing", contact: "c1"})
	e.produce(ctx, t, evs[:len(evs)-1])
	w := e.client.NewWriter(kafka.WriterOptions{})
	_ = w.WriteMessages(ctx, kafka.Message{Topic: event.UnrecognizedTopic(e.eventPrefix), Key: []byte("c1"), Value: []byte("value-odd-1"),
		Headers: []kafka.Header{{Key: event.HeaderEventID, Value: []byte("odd-1")}, {Key: event.HeaderEventType, Value: []byte("custom.thing")}}})
	_ = w.Close()

	_, done := e.start(ctx, store.Matcher(), nil, nil)
	for id, patterns := range subs {
		want := map[string]bool{}
		for _, ev := range evs {
			for _, p := range patterns {
				if event.Match(p, event.Type(ev.typ)) {
					want[ev.id] = true
				}
			}
		}
		var got []copyRecord
		waitFor(ctx, t, "copies for "+id, func() bool {
			got = e.readTopic(ctx, t, e.deliveryPrefix+id)
			return len(distinctIDs(got)) >= len(want)
		})
		if ids := distinctIDs(got); !maps.Equal(ids, want) {
			t.Errorf("%s got %d distinct events, want %d (extra or missing)", id, len(ids), len(want))
		}
		if len(got) != len(want) {
			t.Errorf("%s got %d copies for %d events without any failure", id, len(got), len(want))
		}
		for _, r := range got {
			if r.subscription != id || r.value != "value-"+r.id {
				t.Fatalf("%s copy %+v: wrong subscription header or value bytes", id, r)
			}
		}
	}
	cancel()
	<-done
}

func TestSubscriptionCreatedMidStreamReceivesWithinASecond(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t, testClient(t))
	e.ensureEventTopics(ctx, t)
	store := e.openStore(ctx, t)
	if _, _, err := store.Create(ctx, webhookSub("early", "*")); err != nil {
		t.Fatal(err)
	}
	_, done := e.start(ctx, store.Matcher(), nil, nil)
	var seq atomic.Int64
	produceOne := func() {
		n := int(seq.Add(1))
		e.produce(ctx, t, []produced{{id: "ev-" + string(rune('a'+n%26)) + time.Now().Format("150405.000000"), typ: string(event.ContactUpdated), contact: "c", seq: n}})
	}
	produceOne()
	waitFor(ctx, t, "fan-out running", func() bool { return len(e.readTopic(ctx, t, e.deliveryPrefix+"early")) > 0 })

	stopProducing := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopProducing:
				return
			case <-tick.C:
				produceOne()
			}
		}
	}()
	created := time.Now()
	if _, _, err := store.Create(ctx, webhookSub("late", "contact.*")); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "first copy for the late subscription", func() bool { return len(e.readTopic(ctx, t, e.deliveryPrefix+"late")) > 0 })
	if elapsed := time.Since(created); elapsed > time.Second {
		t.Fatalf("late subscription received its first copy after %v, want ≤ 1s", elapsed)
	}
	close(stopProducing)
	wg.Wait()
	cancel()
	<-done
}

// killableSource dies at its first commit once armed: the batch is
// written but its commit never reaches the broker, like a process killed
// between the two.
type killableSource struct {
	Source
	armed   atomic.Bool
	onKill  func()
	killed  atomic.Bool
	commits atomic.Int64
}

func (s *killableSource) Commit(ctx context.Context, msgs ...kafka.Message) error {
	if s.killed.Load() {
		return context.Canceled
	}
	if s.armed.Load() {
		s.killed.Store(true)
		s.onKill()
		return context.Canceled
	}
	err := s.Source.Commit(ctx, msgs...)
	if err == nil {
		s.commits.Add(1)
	}
	return err
}

func TestKilledInstanceLosesNothingAndKeepsPerContactOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	e := newEnv(t, testClient(t))
	e.ensureEventTopics(ctx, t)
	store := e.openStore(ctx, t)
	for _, id := range []string{"alpha", "beta"} {
		if _, _, err := store.Create(ctx, webhookSub(id, "contact.*")); err != nil {
			t.Fatal(err)
		}
	}
	evs := events(20000, string(event.ContactUpdated), 25, "k")
	next := 0
	more := func(n int) {
		e.produce(ctx, t, evs[next:next+n])
		next += n
	}
	more(1000)

	reader := func() *kafka.Reader {
		return e.client.NewGroupReader(e.group, event.Topics(e.eventPrefix), kafka.ReaderOptions{QueueCapacity: 100})
	}
	victimCtx, kill := context.WithCancel(ctx)
	victimSrc := &killableSource{Source: reader(), onKill: kill}
	_, victimDone := e.startSmallBatches(victimCtx, store.Matcher(), victimSrc)
	survivorSrc := &killableSource{Source: reader(), onKill: func() {}}
	_, survivorDone := e.startSmallBatches(ctx, store.Matcher(), survivorSrc)

	// Both members own partitions once each has committed; keep events
	// flowing until then, then arm the kill and give the victim more work.
	waitFor(ctx, t, "both instances committing", func() bool {
		more(20)
		return victimSrc.commits.Load() > 0 && survivorSrc.commits.Load() > 0
	})
	victimSrc.armed.Store(true)
	more(1500)
	<-victimDone // died between a write and its commit, mid-stream
	if !victimSrc.killed.Load() {
		t.Fatal("the victim was never killed")
	}
	_ = victimSrc.Source.(*kafka.Reader).Close()
	more(1000)
	evs = evs[:next]

	for _, id := range []string{"alpha", "beta"} {
		var got []copyRecord
		waitFor(ctx, t, "every event for "+id, func() bool {
			got = e.readTopic(ctx, t, e.deliveryPrefix+id)
			return len(distinctIDs(got)) >= len(evs)
		})
		if n := len(distinctIDs(got)); n != len(evs) {
			t.Fatalf("%s: %d distinct events, want %d", id, n, len(evs))
		}
		assertPerContactOrder(t, id, got)
		if len(got) == len(evs) {
			t.Fatalf("%s: no duplicates: the victim's written but uncommitted batch was not copied again", id)
		}
		t.Logf("%s: %d copies for %d events (%d duplicates from the kill)", id, len(got), len(evs), len(got)-len(evs))
	}
	cancel()
	<-survivorDone
	_ = survivorSrc.Source.(*kafka.Reader).Close()
}

// startSmallBatches runs an instance with small batches over src, so a kill
// lands mid-stream.
func (e env) startSmallBatches(ctx context.Context, m *subscription.Matcher, src Source) (*Fanout, <-chan struct{}) {
	cfg := DefaultConfig()
	cfg.Group, cfg.BatchSize, cfg.ShutdownTimeout, cfg.RetryBackoff = e.group, 50, 300*time.Millisecond, 50*time.Millisecond
	f := NewKafka(e.client, cfg, Deps{Source: src, Matcher: m, EventPrefix: e.eventPrefix, DeliveryPrefix: e.deliveryPrefix})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
		_ = f.Close()
	}()
	return f, done
}

// assertPerContactOrder checks that, per contact, the first copy of each
// event appears in production order (re-copies after a crash may repeat a
// suffix, but never reorder).
func assertPerContactOrder(t *testing.T, sub string, recs []copyRecord) {
	t.Helper()
	seen := map[string]bool{}
	last := map[string]int{}
	for _, r := range recs {
		if seen[r.id] {
			continue
		}
		seen[r.id] = true
		if prev, ok := last[r.contact]; ok && r.seq <= prev {
			t.Fatalf("%s: contact %s got seq %d after %d", sub, r.contact, r.seq, prev)
		}
		last[r.contact] = r.seq
	}
	if len(slices.Collect(maps.Keys(last))) == 0 {
		t.Fatalf("%s: no records", sub)
	}
}
