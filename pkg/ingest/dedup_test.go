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
		d.Remember(IDHash(fmt.Sprint(i)), testNow)
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
	d.Remember(IDHash("old"), testNow.Add(-2*time.Hour))
	d.Remember(IDHash("new"), testNow.Add(-time.Minute))
	mustOwn(t, d, "old")
	if dup, _ := d.Acquire(context.Background(), "new"); !dup {
		t.Error("recent id replayed from the dedup topic is not a duplicate")
	}
}

func mustOwn(t *testing.T, d *Dedup, id string) {
	t.Helper()
	dup, err := d.Acquire(context.Background(), id)
	if dup || err != nil {
		t.Fatalf("Acquire(%s) = dup %v err %v, want ownership", id, dup, err)
	}
}

func TestIDHashIsFNV1a64(t *testing.T) {
	t.Parallel()
	// Replicas of different versions share hashes on the dedup topic: the
	// function must stay FNV-1a 64 (reference values from the spec's test suite).
	for _, tc := range []struct {
		id   string
		want uint64
	}{{"", 0xcbf29ce484222325}, {"a", 0xaf63dc4c8601ec8c}, {"foobar", 0x85944171f73967e8}} {
		t.Run(tc.id, func(t *testing.T) {
			if got := IDHash(tc.id); got != tc.want {
				t.Errorf("IDHash(%q) = %#x, want %#x", tc.id, got, tc.want)
			}
		})
	}
}
