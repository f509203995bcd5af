package bench

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// timedLoad is a Load whose events 0..len(acks)-1 were acked at acks (ms).
func timedLoad(acks ...int64) *Load {
	l := NewLoad(LoadOptions{}, NewEnvelopes("r", 1, 0), http.DefaultClient, NewClock(nil), time.Now)
	for seq, ms := range acks {
		l.next.Add(1)
		if ms > 0 {
			l.Acks.Set(seq, ms*int64(time.Millisecond))
		}
	}
	return l
}

// arrived is an endpoint that received event seq at arrivals[seq] ms (0: never).
func arrived(arrivals ...int64) *Endpoint {
	ep := &Endpoint{}
	for seq, ms := range arrivals {
		if ms > 0 {
			ep.arrivals.Set(seq, ms*int64(time.Millisecond))
		}
	}
	return ep
}

func TestWindowLatenciesSplitsTheEventsByAckTime(t *testing.T) {
	t.Parallel()
	l := timedLoad(100, 1100, 2100, 3100, 0)  // event 4 never acked
	a := arrived(110, 1200, 2400, 3300, 4000) // 10, 100, 300, 200 ms
	b := arrived(120, 1150, 0, 3900, 4000)    // 20, 50, lost, 800 ms
	w := windowLatencies(l, []*Endpoint{a, b}, ms2n(1000), ms2n(2000), ms2n(3500))
	if w.before.Count() != 2 || w.before.Max() != 100*time.Millisecond {
		t.Errorf("before: %d events, max %v; want event 1 at both endpoints (max 100ms)", w.before.Count(), w.before.Max())
	}
	if w.during.Count() != 3 || w.during.Max() != 800*time.Millisecond {
		t.Errorf("during: %d, max %v; want events 2 and 3 at a, 3 at b (max 800ms)", w.during.Count(), w.during.Max())
	}
	if !slices.Equal(w.each[0], []time.Duration{300 * time.Millisecond, 200 * time.Millisecond}) || len(w.each[1]) != 1 {
		t.Errorf("per endpoint: %v", w.each)
	}
	if i, p := worstP99(w.each); i != 1 || p != 800*time.Millisecond {
		t.Errorf("worstP99 = %d, %v; want endpoint 1 at 800ms", i, p)
	}
}

func ms2n(ms int64) int64 { return ms * int64(time.Millisecond) }

func TestPercentileIsTheValueAtTheCeilingRank(t *testing.T) {
	t.Parallel()
	ds := func(n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = time.Duration(n - i) // unsorted: n, n-1, …, 1
		}
		return out
	}
	tests := []struct {
		n    int
		q    float64
		want time.Duration
	}{{1, 0.99, 1}, {100, 0.99, 99}, {101, 0.99, 100}, {10, 0.5, 5}, {10, 1, 10}}
	for _, tt := range tests {
		if got := percentile(ds(tt.n), tt.q); got != tt.want {
			t.Errorf("percentile(1..%d, %v) = %d, want %d", tt.n, tt.q, got, tt.want)
		}
	}
	if i, _ := worstP99([][]time.Duration{nil, nil}); i != -1 {
		t.Errorf("worstP99 of empty sets = %d, want -1", i)
	}
}

func TestFirstDeliveriesCountsTheAddedThatGotAnEvent(t *testing.T) {
	t.Parallel()
	l := timedLoad(100, 200, 300)
	eps := []*Endpoint{arrived(0, 2500, 2600), arrived(0, 0, 4000), arrived()}
	reached, longest := firstDeliveries(l, eps, ms2n(2000))
	if reached != 2 || longest != 2 {
		t.Fatalf("firstDeliveries = %d, %vs; want 2 reached, the last first after 2s", reached, longest)
	}
}

func TestAccountCountsArrivalsUntilTheLoadEndAsDuringTheLoad(t *testing.T) {
	t.Parallel()
	ep := arrived(150, 900, 1200, 0) // event 2 after the load's end, 3 lost
	tl := tallied{fast: &Histogram{}, slow: &Histogram{}, loadEnd: ms2n(1000)}
	env := NewEnvelopes("r", 1, 0)
	for seq, ack := range []int64{100, 800, 950, 990} {
		tl.account(ep, seq, ms2n(ack), env)
	}
	if tl.Delivered != 3 || tl.DuringLoad.Delivered != 2 || tl.Losses != 1 {
		t.Fatalf("delivered %d (during the load %d), lost %d; want 3 (2), 1", tl.Delivered, tl.DuringLoad.Delivered, tl.Losses)
	}
}
