package fanout

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// chanSource hands out what is sent on msgs and reports each commit.
type chanSource struct {
	msgs      chan kafka.Message
	committed chan kafka.Message
}

func (s *chanSource) Fetch(ctx context.Context) (kafka.Message, error) {
	select {
	case m := <-s.msgs:
		return m, nil
	case <-ctx.Done():
		return kafka.Message{}, ctx.Err()
	}
}

func (s *chanSource) Commit(_ context.Context, msgs ...kafka.Message) error {
	for _, m := range msgs {
		s.committed <- m
	}
	return nil
}

// gatedTopics creates topics at once, except gated, which waits for release.
type gatedTopics struct {
	gated   string
	release chan struct{}
}

func (g *gatedTopics) EnsureTopics(ctx context.Context, specs ...kafka.TopicSpec) error {
	if slices.ContainsFunc(specs, func(s kafka.TopicSpec) bool { return s.Name == g.gated }) {
		select {
		case <-g.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// topicSink reports every copy written, by topic and value.
type topicSink struct {
	mu      sync.Mutex
	written chan [2]string
}

func (s *topicSink) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		s.written <- [2]string{m.Topic, string(m.Value)}
	}
	return nil
}

// A subscription created while events flow needs its delivery topic made
// before its first copy; the other subscriptions' copies of the same batch
// do not wait for that, and the batch is committed only once the new
// subscription's copy is written too.
func TestANewSubscriptionsTopicDoesNotHoldTheOthersCopies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	src := &chanSource{msgs: make(chan kafka.Message, 4), committed: make(chan kafka.Message, 4)}
	sink := &topicSink{written: make(chan [2]string, 16)}
	topics := &gatedTopics{gated: "d.new", release: make(chan struct{})}
	old, added := webhookSub("old", "*"), webhookSub("new", "*")
	m := subscription.NewMatcher()
	m.Set(subscription.NewSnapshot([]*subscription.Subscription{&old}, 1))
	f := New(DefaultConfig(), Deps{Source: src, Sink: sink, Topics: topics, Decoder: fakeDecoder{}, EventPrefix: "engage.", DeliveryPrefix: "d.", Matcher: m})
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	expect := func(what string, want [2]string) {
		t.Helper()
		select {
		case got := <-sink.written:
			if got != want {
				t.Fatalf("%s: wrote %v, want %v", what, got, want)
			}
		case <-ctx.Done():
			t.Fatalf("%s: %v never written", what, want)
		}
	}
	committed := func(what, value string) {
		t.Helper()
		select {
		case c := <-src.committed:
			if string(c.Value) != value {
				t.Fatalf("%s: committed %q, want %q", what, c.Value, value)
			}
		case <-ctx.Done():
			t.Fatalf("%s: %q never committed", what, value)
		}
	}
	src.msgs <- kafka.Message{Topic: "engage.contact.created", Key: []byte("c1"), Value: []byte("e1")}
	expect("before the new subscription", [2]string{"d.old", "e1"})
	committed("before the new subscription", "e1")

	m.Set(subscription.NewSnapshot([]*subscription.Subscription{&old, &added}, 2))
	src.msgs <- kafka.Message{Topic: "engage.contact.created", Key: []byte("c1"), Value: []byte("e2")}
	expect("while the new topic is being made", [2]string{"d.old", "e2"})
	select {
	case c := <-src.committed:
		t.Fatalf("committed %q before the new subscription's copy was written", c.Value)
	case got := <-sink.written:
		t.Fatalf("wrote %v before the new topic existed", got)
	case <-time.After(200 * time.Millisecond):
	}
	close(topics.release)
	expect("once the new topic exists", [2]string{"d.new", "e2"})
	committed("once every copy is written", "e2")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
