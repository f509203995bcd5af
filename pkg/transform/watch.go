package transform

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// heapAllocs is the runtime/metrics name of the bytes the process has
// allocated on the heap since it started.
const heapAllocs = "/gc/heap/allocs:bytes"

// wallBackstop bounds a call in wall-clock time whatever CPU it got, so a
// thread clock that cannot be read cannot let a call run forever.
const wallBackstop = time.Second

// watch interrupts one call of vm when it has used its CPU time, or when
// the process allocated more than the memory limit while it ran. The
// caller runs the call on a locked OS thread, whose CPU clock the watch
// reads (wall-clock time where there is none). The first check comes one
// tick into the call, so a quick call costs only a timer.
type watch struct {
	mu       sync.Mutex
	vm       *goja.Runtime
	cfg      Config
	clock    threadClock
	cpu0     time.Duration
	hasCPU   bool
	start    time.Time
	timer    *time.Timer
	sample   [1]metrics.Sample
	base     uint64 // heap allocated at the first check
	stopped  bool
	breached bool
}

// startWatch locks the calling goroutine to its thread until stop.
func startWatch(vm *goja.Runtime, cfg Config) *watch {
	runtime.LockOSThread()
	w := &watch{vm: vm, cfg: cfg, clock: currentThreadClock(), start: time.Now()}
	w.cpu0, w.hasCPU = w.clock.now()
	w.sample[0].Name = heapAllocs
	w.mu.Lock()
	w.timer = time.AfterFunc(cfg.tick(), w.check)
	w.mu.Unlock()
	return w
}

// used is the CPU time of the call so far (wall-clock time without a
// thread clock).
func (w *watch) used() time.Duration {
	wall := time.Since(w.start)
	if !w.hasCPU {
		return wall
	}
	cpu, ok := w.clock.now()
	if !ok || wall >= wallBackstop {
		return wall
	}
	return cpu - w.cpu0
}

func (w *watch) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	metrics.Read(w.sample[:])
	allocated := w.sample[0].Value.Uint64()
	switch {
	case w.used() >= w.cfg.CPULimit:
		w.interrupt(ErrTimeLimit)
	case w.base == 0:
		w.base = allocated
		w.timer.Reset(w.cfg.tick())
	case allocated-w.base > w.cfg.memoryLimit():
		w.interrupt(ErrMemoryLimit)
	default:
		w.timer.Reset(w.cfg.tick())
	}
}

func (w *watch) interrupt(err error) {
	w.breached = true
	w.vm.Interrupt(err)
}

// cancel interrupts the call with err unless it has stopped.
func (w *watch) cancel(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.interrupt(err)
	}
}

// stop ends the watch and unlocks the thread; no interrupt can come after
// it returns. It reports whether the call was interrupted (then the
// runtime must not be reused: the script stopped at an arbitrary
// instruction).
func (w *watch) stop() (breached bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.timer.Stop()
	runtime.UnlockOSThread()
	return w.breached
}
