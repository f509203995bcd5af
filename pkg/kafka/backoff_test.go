package kafka

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBackoffDoublesFromMinUpToMax(t *testing.T) {
	t.Parallel()
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second, rand: func() float64 { return 0 }}
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{
		{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond}, {5, time.Second}, {50, time.Second},
	} {
		t.Run(tc.want.String(), func(t *testing.T) {
			if got := b.Delay(tc.attempt); got != tc.want {
				t.Errorf("Delay(%d) = %v, want %v", tc.attempt, got, tc.want)
			}
		})
	}
}

func TestBackoffJitterTakesAtMostAFifth(t *testing.T) {
	t.Parallel()
	for _, r := range []float64{0, 0.5, 0.999} {
		b := Backoff{Min: time.Second, Max: time.Second, rand: func() float64 { return r }}
		if d := b.Delay(1); d > time.Second || d < 800*time.Millisecond {
			t.Errorf("rand %v: Delay = %v, want within [800ms, 1s]", r, d)
		}
	}
}

func TestBackoffDefaultsCapAtRetryBackoffMax(t *testing.T) {
	t.Parallel()
	if d := (Backoff{}).Delay(100); d > DefaultRetryBackoffMax || d < DefaultRetryBackoffMax*4/5 {
		t.Errorf("zero Backoff Delay(100) = %v, want about %v", d, DefaultRetryBackoffMax)
	}
	if d := (Backoff{Min: time.Minute, Max: time.Second}).Delay(1); d > time.Second {
		t.Errorf("Min above Max: Delay = %v, want at most Max", d)
	}
}

func TestOutageReportsFailureUntilAnAttemptSucceeds(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	o := NewOutage("follow table x", Backoff{Min: time.Millisecond, Max: time.Millisecond}, nil, func() time.Time { return now })
	if err := o.Err(); err != nil {
		t.Fatalf("before any failure: %v", err)
	}
	boom := errors.New("dial tcp: connection refused")
	for range 3 {
		if !o.Failed(context.Background(), boom) {
			t.Fatal("Failed returned false with a live ctx")
		}
	}
	now = now.Add(7 * time.Second)
	err := o.Err()
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "follow table x: failing for 7s (3 attempts)") {
		t.Fatalf("Err = %v", err)
	}
	o.Succeeded()
	if err := o.Ready(context.Background()); err != nil {
		t.Fatalf("after success: %v", err)
	}
}

func TestOutageStopsWaitingWhenCtxIsDone(t *testing.T) {
	t.Parallel()
	o := NewOutage("x", Backoff{Min: time.Hour, Max: time.Hour}, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- o.Failed(ctx, errors.New("down")) }()
	cancel()
	if <-done {
		t.Fatal("Failed returned true after ctx was cancelled")
	}
}
