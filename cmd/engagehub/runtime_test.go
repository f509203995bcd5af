package main

import (
	"runtime"
	"testing"
)

// At rest (at most one collection a look) the pacer lowers the GC target;
// it raises it again only when collections come more often than
// gc_percent would have made them at the same allocation rate, so a trickle
// of traffic does not flip it on every look.
func TestGCPacerLowersTheTargetAtRestAndRaisesItUnderLoad(t *testing.T) {
	p := &gcPacer{load: 400, rest: 100}
	steps := []struct {
		cycles  uint64 // count at the look
		percent int
		change  bool
	}{
		{cycles: 10, percent: 0, change: false},  // ten in a look: under load
		{cycles: 11, percent: 100, change: true}, // one: at rest
		{cycles: 11, percent: 0, change: false},  // none: still at rest
		{cycles: 15, percent: 0, change: false},  // four at 100 is one at 400: still rest
		{cycles: 20, percent: 400, change: true}, // five: under load again
		{cycles: 21, percent: 100, change: true},
	}
	for i, s := range steps {
		percent, change := p.look(s.cycles)
		if percent != s.percent || change != s.change {
			t.Fatalf("look %d (count %d): (%d, %v), want (%d, %v)", i, s.cycles, percent, change, s.percent, s.change)
		}
	}
}

func TestGCCyclesCountsCollections(t *testing.T) {
	before := gcCycles()
	runtime.GC()
	if after := gcCycles(); after <= before {
		t.Fatalf("collections %d after runtime.GC, %d before", after, before)
	}
}
