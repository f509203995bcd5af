package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// gatedWriter holds its first call until released and records every call.
type gatedWriter struct {
	mu      sync.Mutex
	calls   [][]Message
	first   chan struct{} // closed when the first call arrives
	release chan struct{}
	once    sync.Once
}

func (g *gatedWriter) WriteMessages(_ context.Context, msgs ...Message) error {
	g.mu.Lock()
	g.calls = append(g.calls, msgs)
	n := len(g.calls)
	g.mu.Unlock()
	if n == 1 {
		g.once.Do(func() { close(g.first) })
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

// Calls made while a write is in flight go out together as the next write,
// and one bad call among them fails alone.
func TestCoalescingWriterCombinesCallsMadeDuringAWriteAndFailsOnlyTheBadOne(t *testing.T) {
	g := &gatedWriter{first: make(chan struct{}), release: make(chan struct{})}
	w := &CoalescingWriter{w: g}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	firstDone := make(chan error, 1)
	go func() { firstDone <- w.WriteMessages(ctx, Message{Topic: "t", Value: []byte("first")}) }()
	<-g.first
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
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	for i, c := range errs {
		err := <-c
		if (err != nil) != (i == 3) {
			t.Fatalf("call %d: error %v; want an error only for the call to the bad topic (3)", i, err)
		}
	}
	sizes := g.callSizes()
	if len(sizes) < 2 || sizes[1] != 10 {
		t.Fatalf("writes of %v messages; want the first alone, then the ten calls made meanwhile together", sizes)
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
	g := &gatedWriter{first: make(chan struct{}), release: make(chan struct{})}
	w := &CoalescingWriter{w: g}
	go func() { _ = w.WriteMessages(context.Background(), Message{Topic: "t"}) }()
	<-g.first
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
		idle := !w.flushing
		w.mu.Unlock()
		if idle {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("flush never ended")
		}
		time.Sleep(time.Millisecond) // test polling, not logic
	}
	if sizes := g.callSizes(); len(sizes) != 1 {
		t.Fatalf("writes %v; want only the first (the cancelled call wrote nothing)", sizes)
	}
}
