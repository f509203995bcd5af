package bench

import (
	"testing"
	"time"
)

func TestPacerReleasesOnScheduleAndCatchesUpWhenLate(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	// 2,000 events/s in batches of 10: a batch every 5ms.
	p := NewPacer(t0, 2000, 10)
	steps := []struct {
		at       time.Duration
		released int
		wait     time.Duration
	}{
		{0, 1, 5 * time.Millisecond},                     // batch 0 at t0
		{2 * time.Millisecond, 0, 3 * time.Millisecond},  // nothing due yet
		{5 * time.Millisecond, 1, 5 * time.Millisecond},  // batch 1 exactly on time
		{27 * time.Millisecond, 4, 3 * time.Millisecond}, // late: batches 2..5 at once
		{29500 * time.Microsecond, 0, time.Millisecond},  // 0.5ms to go: waits minWait
		{10 * time.Second, 1995, 5 * time.Millisecond},   // far behind: all of them, schedule kept
	}
	total := 0
	for i, s := range steps {
		due, wait := p.Due(t0.Add(s.at))
		total += len(due)
		if len(due) != s.released || wait != s.wait {
			t.Fatalf("step %d at %v: released %d, wait %v; want %d, %v", i, s.at, len(due), wait, s.released, s.wait)
		}
		for j, at := range due {
			want := t0.Add(time.Duration(total-len(due)+j) * 5 * time.Millisecond)
			if !at.Equal(want) {
				t.Fatalf("step %d: batch scheduled at %v, want %v", i, at.Sub(t0), want.Sub(t0))
			}
		}
	}
	if p.Released() != total || total != 2001 {
		t.Fatalf("Released = %d, counted %d; want 2001 (10s at 200 batches/s, plus batch 0)", p.Released(), total)
	}
}

func TestPacerIntervalFollowsRateAndBatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rate  float64
		batch int
		want  time.Duration
	}{
		{2000, 1, 500 * time.Microsecond},
		{1000, 50, 50 * time.Millisecond},
		{300, 10, time.Second / 30},
	}
	for _, tt := range tests {
		if got := NewPacer(time.Time{}, tt.rate, tt.batch).interval; got != tt.want {
			t.Errorf("rate %v batch %d: interval %v, want %v", tt.rate, tt.batch, got, tt.want)
		}
	}
}
