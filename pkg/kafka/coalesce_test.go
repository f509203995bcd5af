package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// gatedWriter holds its first hold calls until released and records every call.
type gatedWriter struct {
	mu      sync.Mutex
	calls   [][]Message
	hold    int
	first   chan struct{} // closed when the hold-th call arrives
	release chan struct{}
	once    sync.Once
}

func newGatedWriter(hold int) *gatedWriter {
	return &gatedWriter{hold: hold, first: make(chan struct{}), release: make(chan struct{})}
}

func (g *gatedWriter) WriteMessages(_ context.Context, msgs ...Message) error {
	g.mu.Lock()
	g.calls = append(g.calls, msgs)
	n := len(g.calls)
	g.mu.Unlock()
	if n == g.hold {
		g.once.Do(func() { close(g.first) })
	}
	if n <= g.hold {
		<-g.release
	}
	for _, m := range msgs {
		if m.Topic == "bad" {
			return errors.New("bad topic")
		}
	}
	return nil
}

func (g *gatedWriter) callSizes() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []int
	for _, c := range g.calls {
		out = append(out, len(c))
	}
	return out
}

// Calls made while the writes in flight are at their bound go out
// together as the next write, and one bad call among them fails alone.
func TestCoalescingWriterCombinesCallsMadeDuringAWriteAndFailsOnlyTheBadOne(t *testing.T) {
	g := newGatedWriter(maxFlushers)
	w := &CoalescingWriter{w: g}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	held := holdWrites(ctx, t, w, g)
	errs := make([]chan error, 10)
	for i := range errs {
		errs[i] = make(chan error, 1)
		topic := "t"
		if i == 3 {
			topic = "bad"
		}
		go func() { errs[i] <- w.WriteMessages(ctx, Message{Topic: topic, Value: fmt.Appendf(nil, "%d", i)}) }()
	}
	waitPending(t, w, 10)
	close(g.release)
	for range maxFlushers {
		if err := <-held; err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range errs {
		err := <-c
		if (err != nil) != (i == 3) {
			t.Fatalf("call %d: error %v; want an error only for the call to the bad topic (3)", i, err)
		}
	}
	sizes := g.callSizes()
	if len(sizes) < maxFlushers+1 || sizes[maxFlushers] != 10 {
		t.Fatalf("writes of %v messages; want the %d held ones alone, then the ten calls made meanwhile together", sizes, maxFlushers)
	}
}

// A call made while one write is held goes out at once in a second write:
// it does not wait for the first to end.
func TestCoalescingWriterSendsASecondWriteWhileTheFirstIsInFlight(t *testing.T) {
	g := newGatedWriter(1)
	w := &CoalescingWriter{w: g}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := make(chan error, 1)
	go func() { first <- w.WriteMessages(ctx, Message{Topic: "t", Value: []byte("held")}) }()
	<-g.first
	if err := w.WriteMessages(ctx, Message{Topic: "t", Value: []byte("second")}); err != nil {
		t.Fatalf("second call while the first is held: %v", err)
	}
	select {
	case err := <-first:
		t.Fatalf("the held write returned (%v) before it was released", err)
	default:
	}
	close(g.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if sizes := g.callSizes(); len(sizes) != 2 {
		t.Fatalf("writes %v; want two, one message each", sizes)
	}
}

// holdWrites makes g.hold calls, one at a time so that each is its own
// write (two made at once may share one), and returns once g holds them all.
func holdWrites(ctx context.Context, t *testing.T, w *CoalescingWriter, g *gatedWriter) <-chan error {
	t.Helper()
	held := make(chan error, g.hold)
	for i := range g.hold {
		go func() { held <- w.WriteMessages(ctx, Message{Topic: "t", Value: []byte("held")}) }()
		waitCalls(t, g, i+1)
	}
	<-g.first
	return held
}

func waitCalls(t *testing.T, g *gatedWriter, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(g.callSizes()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("calls %v never reached the writer", g.callSizes())
		}
		time.Sleep(time.Millisecond) // test polling, not logic
	}
}

func waitPending(t *testing.T, w *CoalescingWriter, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		got := len(w.pending)
		w.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls pending, want %d", got, n)
		}
		time.Sleep(time.Millisecond) // test polling, not logic
	}
}

// A call whose context ends while it waits returns at once and writes
// nothing.
func TestCoalescingWriterDropsACallWhoseContextEndedWhileWaiting(t *testing.T) {
	g := newGatedWriter(maxFlushers)
	w := &CoalescingWriter{w: g}
	holdWrites(context.Background(), t, w, g)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.WriteMessages(ctx, Message{Topic: "t", Value: []byte("late")}) }()
	waitPending(t, w, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	close(g.release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		idle := w.flushing == 0
		w.mu.Unlock()
		if idle {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("flush never ended")
		}
		time.Sleep(time.Millisecond) // test polling, not logic
	}
	if sizes := g.callSizes(); len(sizes) != maxFlushers {
		t.Fatalf("writes %v; want only the %d held ones (the cancelled call wrote nothing)", sizes, maxFlushers)
	}
}
