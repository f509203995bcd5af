//go:build !linux

package transform

import "time"

// threadClock is unavailable off Linux: the watch uses wall-clock time.
type threadClock struct{}

func currentThreadClock() threadClock { return threadClock{} }

func (threadClock) now() (time.Duration, bool) { return 0, false }
