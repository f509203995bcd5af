package delivery

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// queueWaiter starts an acquire for id and returns once it waits.
func queueWaiter(t *testing.T, f *fairSlots, id string, granted chan<- string) {
	t.Helper()
	f.mu.Lock()
	before := len(f.queues[id])
	f.mu.Unlock()
	go func() {
		if f.acquire(context.Background(), id) {
			granted <- id
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		n := len(f.queues[id])
		f.mu.Unlock()
		if n > before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("acquire for %s never queued", id)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFairSlotsServeABacklogInTurnWithTheOthers(t *testing.T) {
	f := newFairSlots(1)
	if !f.acquire(context.Background(), "held") {
		t.Fatal("first acquire failed")
	}
	granted := make(chan string, 10)
	for range 5 {
		queueWaiter(t, f, "backlog", granted) // five records fetched at once
	}
	queueWaiter(t, f, "live", granted) // one record, queued after them
	var order []string
	for range 6 {
		f.release()
		order = append(order, <-granted)
	}
	if got, want := fmt.Sprint(order), "[backlog live backlog backlog backlog backlog]"; got != want {
		t.Fatalf("slots went to %s, want %s (the live subscription's one request second, not last)", got, want)
	}
}

func TestFairSlotsAWaiterWhoseContextEndsHoldsNoSlot(t *testing.T) {
	f := newFairSlots(1)
	f.acquire(context.Background(), "a")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- f.acquire(ctx, "b") }()
	for {
		f.mu.Lock()
		n := len(f.queues["b"])
		f.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if <-done {
		t.Fatal("acquire with an ended context reported a slot")
	}
	f.release()
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	if !f.acquire(ctx2, "c") {
		t.Fatal("the slot given back was not free: the abandoned waiter kept it")
	}
	if len(f.turn) != 0 || len(f.queues) != 0 {
		t.Fatalf("abandoned waiter left behind: turn %v, queues %v", f.turn, f.queues)
	}
}

func TestFairSlotsNeverHandOutMoreThanTheirCount(t *testing.T) {
	const slots = 4
	f := newFairSlots(slots)
	var held, peak atomic.Int64
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%3)*time.Millisecond+time.Millisecond)
			defer cancel()
			for range 50 {
				id := fmt.Sprint("s", i%7)
				if !f.acquire(ctx, id) {
					ctx, cancel = context.WithTimeout(context.Background(), time.Second)
					defer cancel()
					continue
				}
				n := held.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				held.Add(-1)
				f.release()
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > slots {
		t.Fatalf("%d held at once, want at most %d", p, slots)
	}
	if f.free != slots || len(f.turn) != 0 {
		t.Fatalf("after everyone left: free %d (want %d), turn %v", f.free, slots, f.turn)
	}
}
