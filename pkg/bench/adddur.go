package bench

import (
	"context"
	"math"
	"slices"
	"time"
)

// addSettle is how long after the last --add-during subscription was made
// the others' deliveries still count as "around" it: the sender learns of
// new subscriptions through Kafka and may rebalance after that.
const addSettle = 10 * time.Second

// addition is what --add-during did.
type addition struct {
	start, end int64 // Clock nanos: first create request sent, last answered
	err        error
}

// AddDuring is what happened around the subscriptions made during the load.
type AddDuring struct {
	Added int `json:"added"`
	// AtSeconds is when their creation started (from the load's start),
	// CreateSeconds how long making them all took.
	AtSeconds     float64 `json:"atSeconds"`
	CreateSeconds float64 `json:"createSeconds"`
	// Window is the span (seconds from the load's start) whose acked
	// events measure the other subscriptions: creation start to addSettle
	// after its end, cut at the end of the load.
	Window [2]float64 `json:"windowSeconds"`
	// Before is the other subscriptions' latency (ingest ack → receiver)
	// over the events acked in as long a span just before; During over the
	// events acked in the window.
	Before Latency `json:"before"`
	During Latency `json:"during"`
	// WorstP99Ms is the highest p99 of any one other subscription over the
	// window's events; WorstSubscription names it.
	WorstP99Ms        float64 `json:"worstSubscriptionP99Ms"`
	WorstSubscription string  `json:"worstSubscription,omitempty"`
	// Reached counts the added subscriptions that received a measured
	// event; FirstDeliverySeconds is the longest time from creation start
	// to an added subscription's first measured delivery.
	Reached              int     `json:"reached"`
	FirstDeliverySeconds float64 `json:"firstDeliverySecondsMax"`
	Error                string  `json:"error,omitempty"`
}

// startAddDuring creates the --add-during subscriptions halfway through
// the load; the returned channel closes when that is done (at once when
// not asked).
func (r *runner) startAddDuring(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if r.o.AddDuring == 0 {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		if wait(ctx, r.o.Duration/2); ctx.Err() != nil {
			return
		}
		a := &addition{start: r.clock.Nanos()}
		r.progressf("bench: adding %d subscriptions", r.o.AddDuring)
		from := r.o.Subscriptions
		a.err = r.eachSub(ctx, from, from+r.o.AddDuring, "added", r.createSub)
		a.end = r.clock.Nanos()
		r.m.added = a
	}()
	return done
}

// addDuringReport measures the other subscriptions around the addition.
func (r *runner) addDuringReport() *AddDuring {
	a := r.m.added
	if a == nil {
		return nil
	}
	from, to := a.start, min(a.end+int64(addSettle), r.m.loadEnd)
	rep := &AddDuring{Added: r.o.AddDuring, AtSeconds: seconds(a.start - r.m.start), CreateSeconds: seconds(a.end - a.start),
		Window: [2]float64{seconds(from - r.m.start), seconds(to - r.m.start)}}
	if a.err != nil {
		rep.Error = a.err.Error()
	}
	w := windowLatencies(r.load, r.healthy(), max(r.m.start, from-(to-from)), from, to)
	rep.Before, rep.During = Summarize(w.before), Summarize(w.during)
	if i, p99 := worstP99(w.each); i >= 0 {
		rep.WorstP99Ms, rep.WorstSubscription = ms(p99), r.subs[i]
	}
	rep.Reached, rep.FirstDeliverySeconds = firstDeliveries(r.load, r.added(), a.start)
	return rep
}

// windowed are latencies of the events acked in two adjacent spans.
type windowed struct {
	before, during *Histogram
	each           [][]time.Duration // per endpoint, the during span's
}

// windowLatencies sorts the deliveries to eps of the events acked in
// [start, from) into before and in [from, to] into during.
func windowLatencies(l *Load, eps []*Endpoint, start, from, to int64) windowed {
	w := windowed{before: &Histogram{}, during: &Histogram{}, each: make([][]time.Duration, len(eps))}
	for seq := range int(l.Sent()) {
		ack := l.Acks.Get(seq)
		if ack == 0 || ack < start || ack > to {
			continue
		}
		for i, ep := range eps {
			arr := ep.Arrival(seq)
			if arr == 0 {
				continue
			}
			d := time.Duration(arr - ack)
			if ack < from {
				w.before.Record(d)
				continue
			}
			w.during.Record(d)
			w.each[i] = append(w.each[i], d)
		}
	}
	return w
}

// worstP99 returns the index of the set with the highest 99th percentile
// and that percentile; -1 when every set is empty.
func worstP99(sets [][]time.Duration) (int, time.Duration) {
	worst, at := -1, time.Duration(0)
	for i, ds := range sets {
		if len(ds) == 0 {
			continue
		}
		if p := percentile(ds, 0.99); worst < 0 || p > at {
			worst, at = i, p
		}
	}
	return worst, at
}

// percentile is the value at rank ceil(q·n) of ds (which it sorts).
func percentile(ds []time.Duration, q float64) time.Duration {
	slices.Sort(ds)
	rank := int(math.Ceil(q * float64(len(ds))))
	return ds[min(max(rank, 1), len(ds))-1]
}

// firstDeliveries counts the endpoints that received a measured event and
// returns the longest wait from since to one's first.
func firstDeliveries(l *Load, eps []*Endpoint, since int64) (int, float64) {
	reached, longest := 0, int64(0)
	for _, ep := range eps {
		first := int64(0)
		for seq := range int(l.Sent()) {
			if arr := ep.Arrival(seq); arr != 0 && (first == 0 || arr < first) {
				first = arr
			}
		}
		if first != 0 {
			reached++
			longest = max(longest, first-since)
		}
	}
	return reached, seconds(longest)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
