package bench

import "time"

// minWait is the shortest pause the open-loop sender takes between
// releases; batches that fall due meanwhile are released together.
const minWait = time.Millisecond

// Pacer is the open-loop schedule: batch k is due at start + k·interval,
// whatever happened to the batches before it. A sender that falls behind
// releases every overdue batch at once instead of slipping the schedule,
// so a slow server cannot quietly lower the offered load.
type Pacer struct {
	start    time.Time
	interval time.Duration
	released int
}

// NewPacer returns the schedule for rate events/s sent in batches of batch
// events, starting at start.
func NewPacer(start time.Time, rate float64, batch int) *Pacer {
	interval := time.Duration(float64(time.Second) * float64(max(batch, 1)) / rate)
	return &Pacer{start: start, interval: max(interval, 1)}
}

// Due returns the scheduled times of the batches due at now and not yet
// released (marking them released), and how long to wait before the next
// one is due (at least minWait).
func (p *Pacer) Due(now time.Time) (due []time.Time, wait time.Duration) {
	for {
		at := p.at(p.released)
		if at.After(now) {
			return due, max(at.Sub(now), minWait)
		}
		due = append(due, at)
		p.released++
	}
}

// Released is the number of batches released so far.
func (p *Pacer) Released() int { return p.released }

func (p *Pacer) at(k int) time.Time { return p.start.Add(time.Duration(k) * p.interval) }
