package delivery

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// Work handed over one piece after another runs on the goroutine that
// finished the previous piece, not on a new one each time.
func TestRunnersReuseAGoroutineThatFinished(t *testing.T) {
	r := newRunners()
	for i := range 50 {
		done := make(chan struct{})
		r.Go(func() { close(done) })
		<-done
		waitIdle(t, r, i)
	}
	if n := r.started.Load(); n != 1 {
		t.Fatalf("%d goroutines started for 50 pieces of work one after another, want 1", n)
	}
}

// waitIdle waits until a runner waits for more work (handing the next
// piece over sooner would race its return to waiting and start a second
// goroutine, which is allowed but not what this test measures).
func waitIdle(t *testing.T, r *runners, i int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for r.waiting.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("runner of piece %d never waited for more work", i)
		}
		runtime.Gosched()
	}
}

// There is no bound: work that blocks does not keep other work from
// starting.
func TestRunnersNeverMakeWorkWaitForABlockedRunner(t *testing.T) {
	r := newRunners()
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(100)
	for range 100 {
		r.Go(func() {
			started.Done()
			<-release
		})
	}
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	select {
	case <-all:
	case <-time.After(10 * time.Second):
		t.Fatal("100 blocking pieces of work did not all start: one waited for another")
	}
	close(release)
}
