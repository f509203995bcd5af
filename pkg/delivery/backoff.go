package delivery

import (
	"math/rand/v2"
	"time"
)

// Schedule is the retry schedule: Delays[i] is the wait before attempt i+1,
// so len(Delays) is the number of attempts; each wait is spread by ± Jitter.
type Schedule struct {
	Delays []time.Duration
	Jitter float64
	rand   func() float64 // [0, 1); nil means math/rand/v2
}

// Next returns the wait before the next attempt after `attempts` attempts
// were made, and false when none is left (dead-letter).
func (s Schedule) Next(attempts int) (time.Duration, bool) {
	d, ok := s.Nominal(attempts)
	if !ok {
		return 0, false
	}
	if s.Jitter <= 0 || d <= 0 {
		return d, true
	}
	r := rand.Float64
	if s.rand != nil {
		r = s.rand
	}
	return time.Duration(float64(d) * (1 + s.Jitter*(2*r()-1))), true
}

// Nominal returns the schedule's wait before the next attempt, unjittered;
// false when none is left (or attempts is out of range).
func (s Schedule) Nominal(attempts int) (time.Duration, bool) {
	if attempts < 0 || attempts >= len(s.Delays) {
		return 0, false
	}
	return s.Delays[attempts], true
}
