package console

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// rates turns the process's own metrics into the overview's figures: it
// samples the registry every rateEvery and compares the newest reading
// with the oldest one inside rateWindow. It samples only while the console
// is in use (a page read the figures within rateWindow): gathering every
// subscription's series costs in proportion to the subscriptions, and an
// unwatched console should cost nothing.
type rates struct {
	g   prometheus.Gatherer
	now func() time.Time

	mu      sync.Mutex
	samples []reading // oldest first, at most rateWindow/rateEvery+1
	latest  reading   // the newest reading, sampled or read for a page
	viewed  time.Time // when a page last read the figures
}

const (
	rateEvery  = 5 * time.Second
	rateWindow = 5 * time.Minute
	// rateFresh is how old a reading a page may show: pages and live
	// refreshes within it share one gathering of the registry.
	rateFresh = time.Second
)

func newRates(g prometheus.Gatherer, now func() time.Time) *rates {
	return &rates{g: g, now: now}
}

// Run samples the metrics until ctx is done.
func (r *rates) Run(ctx context.Context) error {
	t := time.NewTicker(rateEvery)
	defer t.Stop()
	for {
		if r.watched() {
			r.sample()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// watched reports whether a page read the figures within rateWindow.
func (r *rates) watched() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.viewed.IsZero() && r.now().Sub(r.viewed) <= rateWindow
}

// sample takes a reading and keeps it, dropping those older than the window.
func (r *rates) sample() reading {
	cur := r.read()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples, r.latest = append(r.samples, cur), cur
	for len(r.samples) > 1 && cur.at.Sub(r.samples[0].at) > rateWindow {
		r.samples = r.samples[1:]
	}
	return cur
}

// baseline is the oldest reading kept, or false when there is none yet.
func (r *rates) baseline() (reading, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) == 0 {
		return reading{}, false
	}
	return r.samples[0], true
}

// SubStats are one subscription's figures over the window.
type SubStats struct {
	Delivered, Failed float64 // per second
	// Success is delivered / all attempts, or -1 without attempts.
	Success float64
	Lag     float64
	// P99 is the 99th percentile attempt latency in milliseconds, or -1.
	P99     float64
	Circuit string
	Window  time.Duration
}

// TopicStats are one event topic's figures over the window.
type TopicStats struct {
	Topic string
	Rate  float64 // events fanned out per second
	Lag   float64
}

// current reads the metrics now and compares them with the baseline.
func (r *rates) current() (map[string]SubStats, []TopicStats) {
	base, ok := r.baseline()
	cur := r.fresh()
	if !ok {
		base = cur
	}
	secs := cur.at.Sub(base.at).Seconds()
	subs := make(map[string]SubStats, len(cur.subs))
	for id, c := range cur.subs {
		subs[id] = c.since(base.subs[id], secs, cur.at.Sub(base.at))
	}
	return subs, topicStats(cur, base, secs)
}

// fresh is the latest reading when it is younger than rateFresh, else a
// new one.
func (r *rates) fresh() reading {
	now := r.now()
	r.mu.Lock()
	latest, idle := r.latest, r.viewed.IsZero() || now.Sub(r.viewed) > rateWindow
	r.viewed = now
	if idle { // samples taken before the console was last left: only those inside the window count
		r.samples = slices.DeleteFunc(r.samples, func(s reading) bool { return now.Sub(s.at) > rateWindow })
	}
	r.mu.Unlock()
	if !latest.at.IsZero() && now.Sub(latest.at) < rateFresh {
		return latest
	}
	cur := r.read()
	r.mu.Lock()
	r.latest = cur
	if len(r.samples) == 0 {
		r.samples = append(r.samples, cur) // the baseline of the figures from now on
	}
	r.mu.Unlock()
	return cur
}

func topicStats(cur, base reading, secs float64) []TopicStats {
	out := make([]TopicStats, 0, len(cur.topics))
	for name, t := range cur.topics {
		out = append(out, TopicStats{Topic: name, Rate: perSecond(t.events-base.topics[name].events, secs), Lag: t.lag})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return out
}

func perSecond(delta, secs float64) float64 {
	if secs <= 0 || delta < 0 {
		return 0
	}
	return delta / secs
}
