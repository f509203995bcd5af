package ingest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestDedupWindowForgetsAfterTTL(t *testing.T) {
	t.Parallel()
	now := testNow
	d := NewDedup(time.Hour, 10, func() time.Time { return now })
	mustOwn(t, d, "a")
	d.Release("a", true)
	if dup, _ := d.Acquire(context.Background(), "a"); !dup {
		t.Fatal("id written a moment ago is not a duplicate")
	}
	now = now.Add(time.Hour)
	mustOwn(t, d, "a")
}

func TestDedupWindowForgetsOldestBeyondCapacity(t *testing.T) {
	t.Parallel()
	d := NewDedup(time.Hour, 3, func() time.Time { return testNow })
	for i := range 4 {
		d.Remember(fmt.Sprint(i), testNow)
	}
	if d.Len() != 3 {
		t.Fatalf("len = %d, want 3", d.Len())
	}
	mustOwn(t, d, "0")
	for _, id := range []string{"1", "2", "3"} {
		if dup, _ := d.Acquire(context.Background(), id); !dup {
			t.Errorf("%s forgotten", id)
		}
	}
}

func TestDedupFailedWriteIsNotRemembered(t *testing.T) {
	t.Parallel()
	d := NewDedup(time.Hour, 10, func() time.Time { return testNow })
	mustOwn(t, d, "a")
	d.Release("a", false)
	mustOwn(t, d, "a")
}

func TestDedupInFlightIDWaitsForOwner(t *testing.T) {
	t.Parallel()
	d := NewDedup(time.Hour, 10, func() time.Time { return testNow })
	mustOwn(t, d, "a")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Acquire(cancelled, "a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("second Acquire of an in-flight id: err %v, want it to wait (and see ctx cancelled)", err)
	}
	result := make(chan bool)
	go func() {
		dup, _ := d.Acquire(context.Background(), "a")
		result <- dup
	}()
	d.Release("a", true)
	if !<-result {
		t.Error("waiter did not see the owner's write as a duplicate")
	}
}

func TestDedupRememberKeepsOnlyWindow(t *testing.T) {
	t.Parallel()
	d := NewDedup(time.Hour, 10, func() time.Time { return testNow })
	d.Remember("old", testNow.Add(-2*time.Hour))
	d.Remember("new", testNow.Add(-time.Minute))
	mustOwn(t, d, "old")
	if dup, _ := d.Acquire(context.Background(), "new"); !dup {
		t.Error("recent id replayed from history is not a duplicate")
	}
}

func mustOwn(t *testing.T, d *Dedup, id string) {
	t.Helper()
	dup, err := d.Acquire(context.Background(), id)
	if dup || err != nil {
		t.Fatalf("Acquire(%s) = dup %v err %v, want ownership", id, dup, err)
	}
}
