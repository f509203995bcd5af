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

// restLook is how often the pacer counts collections.
const restLook = 10 * time.Second

// gcPacer moves the GC target between gc_percent under load and
// gc_percent_at_rest at rest. gc_percent 400 saves CPU per delivery by
// letting the heap grow to five times what is live; at rest that buys
// nothing, and after a burst (a thousand subscriptions' first fetches)
// the heap would stay five times a live set that was briefly large. At
// rest means at most one collection in restLook; back under load means
// more than load/rest collections in restLook, as many as one would see
// at gc_percent at the same allocation rate (so low traffic does not
// flip it every look).
type gcPacer struct {
	load, rest int
	atRest     bool
	last       uint64 // collections counted at the last look
}

// look takes the collection count now and returns the GC target to set,
// if it changes.
func (p *gcPacer) look(cycles uint64) (percent int, change bool) {
	n := cycles - p.last
	p.last = cycles
	switch {
	case !p.atRest && n <= 1:
		p.atRest = true
		return p.rest, true
	case p.atRest && n > uint64(p.load/p.rest):
		p.atRest = false
		return p.load, true
	}
	return 0, false
}

// run looks every restLook until ctx ends.
func (p *gcPacer) run(ctx context.Context, log *zap.Logger) {
	t := time.NewTicker(restLook)
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
