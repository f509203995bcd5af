package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/config"
)

// tuneRuntime applies the runtime section, unless GOGC or GOMEMLIMIT are set
// in the environment (the Go runtime has applied those already). It
// returns the GC pacing to run while serving (nil: none).
func tuneRuntime(cfg config.RuntimeConfig, log *zap.Logger) *gcPacer {
	var pacer *gcPacer
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(cfg.GCPercent)
		if cfg.GCPercentAtRest > 0 && cfg.GCPercentAtRest < cfg.GCPercent {
			pacer = &gcPacer{load: cfg.GCPercent, rest: cfg.GCPercentAtRest, last: gcCycles()}
		}
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && cfg.MemoryLimitMiB > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimitMiB << 20)
	}
	log.Debug("runtime tuned", zap.Int("gc_percent", cfg.GCPercent), zap.Int("gc_percent_at_rest", cfg.GCPercentAtRest),
		zap.Int64("memory_limit_mib", cfg.MemoryLimitMiB))
	return pacer
}

// The pacer looks every second; restWindow looks with at most one
// collection between them make the process at rest.
const (
	paceLook   = time.Second
	restWindow = 10
)

// gcPacer moves the GC target between gc_percent under load and
// gc_percent_at_rest at rest. gc_percent 400 saves CPU per delivery by
// letting the heap grow to five times what is live; at rest that buys
// nothing, and after a burst (a thousand subscriptions' first fetches)
// the heap would stay five times a live set that was briefly large. At
// rest means at most one collection in restWindow seconds; load again
// means two or more collections within one second at the rest target, so
// a burst of traffic gets gc_percent back within a second, while a
// trickle (a collection every few seconds at rest) stays at rest.
type gcPacer struct {
	load, rest int
	atRest     bool
	last       uint64 // collections counted at the last look
	looks      int    // looks in the current window (under load)
	collected  uint64 // collections in the current window
}

// look takes the collection count now and returns the GC target to set,
// if it changes.
func (p *gcPacer) look(cycles uint64) (percent int, change bool) {
	n := cycles - p.last
	p.last = cycles
	if p.atRest {
		if n < 2 {
			return 0, false
		}
		p.atRest = false
		return p.load, true
	}
	p.looks++
	p.collected += n
	if p.looks < restWindow {
		return 0, false
	}
	quiet := p.collected <= 1
	p.looks, p.collected = 0, 0
	if !quiet {
		return 0, false
	}
	p.atRest = true
	return p.rest, true
}

// run looks every paceLook until ctx ends.
func (p *gcPacer) run(ctx context.Context, log *zap.Logger) {
	t := time.NewTicker(paceLook)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if percent, change := p.look(gcCycles()); change {
			debug.SetGCPercent(percent)
			log.Debug("gc target", zap.Int("gc_percent", percent), zap.Bool("at_rest", p.atRest))
		}
	}
}

// gcCycles is the number of completed collections.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
