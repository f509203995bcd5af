package fanout

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// pipeSource hands out msgs one by one and checks, at each commit, that
// every committed offset (and every earlier one) was written.
type pipeSource struct {
	mu        sync.Mutex
	msgs      []kafka.Message
	fetched   int
	written   map[int64]bool
	committed []int64
	errs      []string
	commitCh  chan struct{}
}

func (s *pipeSource) Fetch(ctx context.Context) (kafka.Message, error) {
	s.mu.Lock()
	if s.fetched < len(s.msgs) {
		m := s.msgs[s.fetched]
		s.fetched++
		s.mu.Unlock()
		return m, nil
	}
	s.mu.Unlock()
	<-ctx.Done()
	return kafka.Message{}, ctx.Err()
}

func (s *pipeSource) Commit(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	for _, m := range msgs {
		for off := int64(1); off <= m.Offset; off++ {
			if !s.written[off] {
				s.errs = append(s.errs, fmt.Sprintf("offset %d committed before offset %d was written", m.Offset, off))
			}
		}
		s.committed = append(s.committed, m.Offset)
	}
	s.mu.Unlock()
	s.commitCh <- struct{}{}
	return nil
}

func (s *pipeSource) fetchedCount() int { s.mu.Lock(); defer s.mu.Unlock(); return s.fetched }

// gateSink holds each write until released.
type gateSink struct {
	src     *pipeSource
	writing chan int64
	release chan struct{}
}

func (s *gateSink) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	s.writing <- offsetOf(msgs[0])
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.src.mu.Lock()
	for _, m := range msgs {
		s.src.written[offsetOf(m)] = true
	}
	s.src.mu.Unlock()
	return nil
}

// offsetOf is the offset of the record a copy was made of: its value.
func offsetOf(c kafka.Message) int64 {
	off, _ := strconv.ParseInt(string(c.Value), 10, 64)
	return off
}

func TestNextBatchIsFetchedDuringAWriteAndCommitsFollowWritesInOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	src := &pipeSource{written: map[int64]bool{}, commitCh: make(chan struct{}, 3)}
	for off := int64(1); off <= 3; off++ {
		src.msgs = append(src.msgs, kafka.Message{Topic: "engage.contact.updated", Offset: off, Key: []byte("c1"), Value: []byte(strconv.FormatInt(off, 10))})
	}
	sink := &gateSink{src: src, writing: make(chan int64), release: make(chan struct{})}
	cfg := DefaultConfig()
	cfg.BatchSize, cfg.Linger = 1, time.Millisecond
	f := New(cfg, Deps{Source: src, Sink: sink, EventPrefix: "engage.", DeliveryPrefix: "d.", Matcher: snapshotOf(webhookSub("hook", "*"))})
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	for want := int64(1); want <= 3; want++ {
		if got := <-sink.writing; got != want {
			t.Fatalf("writing batch with offset %d, want %d (batches out of order)", got, want)
		}
		if want < 3 {
			waitFor(ctx, t, "the next batch fetched while this one is written", func() bool { return src.fetchedCount() > int(want) })
		}
		sink.release <- struct{}{}
	}
	for range 3 {
		select {
		case <-src.commitCh:
		case <-ctx.Done():
			t.Fatal("batches never committed")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(src.errs) > 0 {
		t.Fatal(src.errs)
	}
	if !slices.Equal(src.committed, []int64{1, 2, 3}) {
		t.Fatalf("committed offsets %v, want [1 2 3] in order", src.committed)
	}
}

// sizeSink records how many copies each write held.
type sizeSink struct {
	mu    sync.Mutex
	sizes []int
	total int
}

func (s *sizeSink) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sizes = append(s.sizes, len(msgs))
	s.total += len(msgs)
	return nil
}

func (s *sizeSink) written() int { s.mu.Lock(); defer s.mu.Unlock(); return s.total }

// A batch ends once its copies reach fanout.batch_copies, however many
// events batch_size would take: with a thousand subscriptions a batch of a
// thousand events would be a million copies in memory and in one write.
func TestBatchEndsWhenItsCopiesReachBatchCopies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	src := &pipeSource{written: map[int64]bool{}, commitCh: make(chan struct{}, 100)}
	for off := int64(1); off <= 30; off++ {
		src.msgs = append(src.msgs, kafka.Message{Topic: "engage.contact.updated", Offset: off, Key: []byte("c1"), Value: []byte(strconv.FormatInt(off, 10))})
	}
	var subs []subscription.Subscription
	for i := range 10 {
		subs = append(subs, webhookSub(fmt.Sprintf("hook%d", i), "*"))
	}
	sink := &sizeSink{}
	cfg := DefaultConfig()
	cfg.BatchSize, cfg.BatchCopies, cfg.Linger = 1000, 50, time.Second
	f := New(cfg, Deps{Source: src, Sink: sink, EventPrefix: "engage.", DeliveryPrefix: "d.", Matcher: snapshotOf(subs...)})
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitFor(ctx, t, "every copy written", func() bool { return sink.written() == 300 })
	cancel()
	<-done
	sink.mu.Lock()
	defer sink.mu.Unlock()
	for i, n := range sink.sizes {
		if n > 50 {
			t.Fatalf("write %d held %d copies, want ≤ batch_copies (50); writes %v", i, n, sink.sizes)
		}
	}
}

// Each event's fan-out delay — from its record's write to its copies'
// acknowledgment — is observed once, whatever the number of copies.
func TestFanoutDelayIsObservedOncePerEvent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	src := &pipeSource{written: map[int64]bool{}, commitCh: make(chan struct{}, 100)}
	written := time.Now().Add(-2 * time.Second)
	for off := int64(1); off <= 5; off++ {
		src.msgs = append(src.msgs, kafka.Message{Topic: "engage.contact.updated", Offset: off, Key: []byte("c1"), Value: []byte("x"), Time: written})
	}
	sink := &sizeSink{}
	f := New(DefaultConfig(), Deps{Source: src, Sink: sink, EventPrefix: "engage.", DeliveryPrefix: "d.",
		Matcher: snapshotOf(webhookSub("a", "*"), webhookSub("b", "*"))})
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitFor(ctx, t, "every copy written", func() bool { return sink.written() == 10 })
	cancel()
	<-done
	var m dto.Metric
	if err := f.metrics.delay.Write(&m); err != nil {
		t.Fatal(err)
	}
	if n, sum := m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum(); n != 5 || sum < 5*2 {
		t.Fatalf("delay observed %d times summing %.1fs, want 5 (one per event) of ≥ 2s each", n, sum)
	}
}
