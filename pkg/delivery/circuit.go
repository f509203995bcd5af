package delivery

import (
	"context"
	"sync"
	"time"
)

// Circuit states, as exported by engagehub_circuit_state.
const (
	circuitClosed   = 0
	circuitHalfOpen = 1
	circuitOpen     = 2
)

// breaker is a subscription's circuit breaker. Closed, every attempt goes
// through; after FailureThreshold consecutive failures it opens: no attempt
// goes through except one probe at a time, at intervals that double up to
// ProbeMax; a success closes it. It also remembers since when the endpoint has
// been failing without a single success, for DisableAfter.
type breaker struct {
	cfg      CircuitConfig
	clock    Clock
	onChange func(state int)

	mu           sync.Mutex
	state        int
	failures     int
	failingSince time.Time
	probeWait    time.Duration
	nextProbe    time.Time
	changed      chan struct{}
}

func newBreaker(cfg CircuitConfig, clock Clock, onChange func(int)) *breaker {
	return &breaker{cfg: cfg, clock: clock, onChange: onChange, changed: make(chan struct{})}
}

// try reports whether an attempt may be made now (the circuit is closed,
// or open with the probe time come: the caller becomes the probe); else
// what to wait on before trying again (a change, or the probe time).
func (b *breaker) try() (ok bool, changed chan struct{}, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == circuitClosed {
		return true, nil, time.Time{}
	}
	now := b.clock.Now()
	if b.state == circuitOpen && !now.Before(b.nextProbe) {
		b.setState(circuitHalfOpen)
		return true, nil, time.Time{}
	}
	return false, b.changed, b.nextProbe
}

// waitChange waits for the state to change or the time at to come (the
// wait is measured when the timer is set, so time passing meanwhile counts).
func (b *breaker) waitChange(ctx context.Context, changed chan struct{}, at time.Time) bool {
	var timer <-chan time.Time
	if wait := at.Sub(b.clock.Now()); wait > 0 {
		timer = b.clock.After(wait)
	} else {
		return true
	}
	select {
	case <-ctx.Done():
		return false
	case <-changed:
	case <-timer:
	}
	return true
}

// success records an answer from the endpoint: it closes the circuit.
func (b *breaker) success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures, b.failingSince, b.probeWait = 0, time.Time{}, 0
	if b.state != circuitClosed {
		b.setState(circuitClosed)
	}
}

// failure records a failed attempt and returns how long the endpoint has been
// failing without a success.
func (b *breaker) failure() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.failures++
	if b.failingSince.IsZero() {
		b.failingSince = now
	}
	switch {
	case b.state == circuitHalfOpen:
		b.probeWait = min(2*b.probeWait, b.cfg.ProbeMax)
		b.open(now)
	case b.state == circuitClosed && b.failures >= b.cfg.FailureThreshold:
		b.probeWait = b.cfg.ProbeInterval
		b.open(now)
	}
	return now.Sub(b.failingSince)
}

func (b *breaker) open(now time.Time) {
	b.nextProbe = now.Add(b.probeWait)
	b.setState(circuitOpen)
}

// isOpen reports whether the circuit is open or half-open.
func (b *breaker) isOpen() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state != circuitClosed
}

func (b *breaker) setState(s int) {
	b.state = s
	close(b.changed)
	b.changed = make(chan struct{})
	if b.onChange != nil {
		b.onChange(s)
	}
}
