package fanout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// fakeSource fails its first fetchFailures fetches, hands out msgs once,
// then blocks; it records commits.
type fakeSource struct {
	mu            sync.Mutex
	fetchFailures int
	fetches       int
	msgs          []kafka.Message
	committed     []kafka.Message
	commitCh      chan struct{}
}

func (s *fakeSource) Fetch(ctx context.Context) (kafka.Message, error) {
	s.mu.Lock()
	s.fetches++
	if s.fetches <= s.fetchFailures {
		s.mu.Unlock()
		return kafka.Message{}, errors.New("kafka: fetch: failed to dial: connection refused")
	}
	if len(s.msgs) > 0 {
		m := s.msgs[0]
		s.msgs = s.msgs[1:]
		s.mu.Unlock()
		return m, nil
	}
	s.mu.Unlock()
	<-ctx.Done()
	return kafka.Message{}, ctx.Err()
}

func (s *fakeSource) Commit(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	s.committed = append(s.committed, msgs...)
	s.mu.Unlock()
	s.commitCh <- struct{}{}
	return nil
}

// fakeSink fails its first failures calls, then records writes.
type fakeSink struct {
	mu       sync.Mutex
	failures int
	calls    int
	written  []kafka.Message
	src      *fakeSource
}

func (s *fakeSink) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.src.mu.Lock()
	committedEarly := len(s.src.committed) > 0
	s.src.mu.Unlock()
	if committedEarly {
		return errors.New("committed before the write")
	}
	if s.calls <= s.failures {
		return errors.New("broker unavailable")
	}
	for _, m := range msgs { // fan-out reuses msgs after a successful write
		m.Headers = slices.Clone(m.Headers)
		s.written = append(s.written, m)
	}
	return nil
}

type fakeDecoder struct{}

func (fakeDecoder) Project(_ context.Context, value []byte, _ schema.Projection, f *schema.Fields) error {
	if string(value) == "poison" {
		return fmt.Errorf("%w: unknown schema id", ErrUndecodable)
	}
	f.Set(nil, []byte(`{"json":"`+string(value)+`"}`))
	return nil
}

func snapshotOf(subs ...subscription.Subscription) *subscription.Matcher {
	ptrs := make([]*subscription.Subscription, len(subs))
	for i := range subs {
		ptrs[i] = &subs[i]
	}
	m := subscription.NewMatcher()
	m.Set(subscription.NewSnapshot(ptrs, 1))
	return m
}

func TestBatchIsCommittedOnlyAfterEveryCopyIsWrittenAndFailuresRetryAndUndecodableJSONIsDeadLettered(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	jsonSub := subscription.Subscription{ID: "team", EventTypes: []string{"contact.*"}, Enabled: true,
		Destination: subscription.Destination{Type: subscription.DestinationKafka, Topic: "team.events", Format: subscription.FormatJSON}}
	src := &fakeSource{commitCh: make(chan struct{}, 1), msgs: []kafka.Message{
		{Topic: "engage.contact.created", Key: []byte("c1"), Value: []byte("v1")}, // no header: type from the topic
		{Topic: "engage.contact.updated", Key: []byte("c1"), Value: []byte("poison"), Headers: []kafka.Header{{Key: event.HeaderEventType, Value: []byte("contact.updated")}}},
		{Topic: "engage.point.balance.updated", Key: []byte("c2"), Value: []byte("v3")},
	}}
	sink := &fakeSink{failures: 2, src: src}
	cfg := DefaultConfig()
	cfg.RetryBackoff = time.Millisecond
	f := New(cfg, Deps{Source: src, Sink: sink, Decoder: fakeDecoder{}, EventPrefix: "engage.", DeliveryPrefix: "d.",
		Matcher: snapshotOf(webhookSub("hook", "*"), jsonSub)})
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	select {
	case <-src.commitCh:
	case <-ctx.Done():
		t.Fatal("batch never committed")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sink.calls != 3 || len(src.committed) != 3 {
		t.Fatalf("write calls %d (want 2 failures + 1), committed %d records", sink.calls, len(src.committed))
	}
	want := []struct{ topic, value string }{{"d.hook", "v1"}, {"team.events", `{"json":"v1"}`}, {"d.hook", "poison"},
		{"engagehub.dlq.team", "poison"}, {"d.hook", "v3"}}
	if len(sink.written) != len(want) {
		t.Fatalf("written %d copies, want %d", len(sink.written), len(want))
	}
	for i, w := range want {
		m := sink.written[i]
		if m.Topic != w.topic || string(m.Value) != w.value || headerOf(m, event.HeaderSubscription) == "" {
			t.Errorf("copy %d = %s %q %v, want %s %q with a subscription header", i, m.Topic, m.Value, m.Headers, w.topic, w.value)
		}
	}
	if dl := sink.written[3]; headerOf(dl, headerDLQError) != "decode: fanout: undecodable record: unknown schema id" || headerOf(dl, headerDLQAt) == "" {
		t.Errorf("dead letter headers %v, want the decode error and a time", dl.Headers)
	}
}

func headerOf(m kafka.Message, name string) string {
	for _, h := range m.Headers {
		if h.Key == name {
			return string(h.Value)
		}
	}
	return ""
}

func TestRunWaitsOutFetchFailuresThenCopiesAndCommits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	src := &fakeSource{fetchFailures: 5, commitCh: make(chan struct{}, 1), msgs: []kafka.Message{
		{Topic: "engage.contact.created", Key: []byte("c1"), Value: []byte("v1")},
	}}
	sink := &fakeSink{src: src}
	cfg := DefaultConfig()
	cfg.RetryBackoff = time.Millisecond
	f := New(cfg, Deps{Source: src, Sink: sink, EventPrefix: "engage.", DeliveryPrefix: "d.",
		Matcher: snapshotOf(webhookSub("hook", "*")), Backoff: kafka.Backoff{Max: 5 * time.Millisecond}})
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	select {
	case <-src.commitCh:
	case err := <-done:
		t.Fatalf("Run returned %v after a failed fetch, want it to retry", err)
	case <-ctx.Done():
		t.Fatal("batch never committed")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run on cancel = %v, want nil", err)
	}
	if src.fetches < 6 || len(sink.written) != 1 || len(src.committed) != 1 {
		t.Fatalf("fetches %d, written %d, committed %d: want 5 failures then the record copied and committed",
			src.fetches, len(sink.written), len(src.committed))
	}
}
