//go:build linux

package transform

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadClock reads the CPU time of one OS thread. On Linux the clock of
// any thread of the process can be read from another thread: its clock
// id is derived from the thread id (MAKE_THREAD_CPUCLOCK(tid,
// CPUCLOCK_SCHED) in the kernel's posix-timers.h).
type threadClock struct{ id int32 }

// currentThreadClock is the clock of the calling thread; the caller must
// have locked its goroutine to the thread.
func currentThreadClock() threadClock {
	tid := unix.Gettid()
	return threadClock{id: int32(^tid<<3 | 6)}
}

// now returns the thread's CPU time; ok is false if it cannot be read
// (then the watch falls back to wall-clock time).
func (c threadClock) now() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(c.id, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
