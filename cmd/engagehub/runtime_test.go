package main

import (
	"runtime"
	"testing"
)

// Ten quiet seconds (at most one collection) lower the GC target; two
// collections within a second at rest raise it again at once, and a
// trickle (one a second) does not.
func TestGCPacerLowersTheTargetAtRestAndRaisesItUnderLoad(t *testing.T) {
	p := &gcPacer{load: 400, rest: 100}
	var cycles uint64
	look := func(collections uint64) (int, bool) {
		cycles += collections
		return p.look(cycles)
	}
	for i := range restWindow {
		if _, change := look(2); change {
			t.Fatalf("second %d of steady collections changed the target", i)
		}
	}
	for i := range restWindow - 1 {
		if _, change := look(0); change {
			t.Fatalf("quiet second %d changed the target before the window ended", i)
		}
	}
	if percent, change := look(1); !change || percent != 100 {
		t.Fatalf("after a quiet window (one collection): (%d, %v), want (100, true)", percent, change)
	}
	for i := range 5 {
		if _, change := look(1); change {
			t.Fatalf("a trickle (one collection, second %d) left rest", i)
		}
	}
	if percent, change := look(2); !change || percent != 400 {
		t.Fatalf("two collections in a second at rest: (%d, %v), want (400, true)", percent, change)
	}
	for i := range restWindow {
		if _, change := look(1); change {
			t.Fatalf("a busy window (second %d) went back to rest", i)
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
