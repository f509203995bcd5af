package bench

import (
	"context"
	"sync"
	"time"
)

// How often the child's figures are read during the measured window: the
// /proc figures every sampleInterval (the bench pays for reading them), its
// goroutines every goroutineEvery-th time, since the goroutine profile is
// computed by engagehub and its CPU counts in the figures measured.
const (
	sampleInterval = time.Second
	goroutineEvery = 10
)

// Gauge is a figure sampled during the run: its highest and its last value.
type Gauge struct {
	Peak int64 `json:"peak"`
	End  int64 `json:"end"`
}

func (g *Gauge) observe(v int64) {
	g.Peak = max(g.Peak, v)
	g.End = v
}

// ProcessGauges are the engagehub process's sampled figures.
type ProcessGauges struct {
	Goroutines  Gauge `json:"goroutines"`
	OpenFDs     Gauge `json:"openFds"`
	BrokerConns Gauge `json:"brokerConnections"` // established TCP to a --brokers port
	TCPConns    Gauge `json:"tcpConnections"`    // every established TCP connection
	// FDLimit is the process's soft limit on open files (0: unknown or
	// unlimited), to read OpenFDs against.
	FDLimit int64 `json:"fdLimit,omitempty"`
	// Samples counts /proc readings; GoroutineSamples goroutine counts read.
	Samples          int `json:"samples"`
	GoroutineSamples int `json:"goroutineSamples"`
}

// sampler reads the child's figures while the run goes.
type sampler struct {
	proc       func() (FDStats, error)
	goroutines func(context.Context) (int, error)
	mu         sync.Mutex
	g          ProcessGauges
	err        error // the last failed reading
}

// run samples at once, then every interval (goroutines every
// goroutineEvery-th time) until ctx is done.
func (s *sampler) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := 0; ; i++ {
		s.sample(ctx, i%goroutineEvery == 0)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sample takes one reading of the /proc figures and, when asked, of the
// goroutines.
func (s *sampler) sample(ctx context.Context, goroutines bool) {
	fd, err := s.proc()
	s.mu.Lock()
	if err != nil {
		s.err = err
	} else {
		s.g.OpenFDs.observe(int64(fd.FDs))
		s.g.TCPConns.observe(int64(fd.TCP))
		s.g.BrokerConns.observe(int64(fd.Broker))
		s.g.Samples++
	}
	s.mu.Unlock()
	if !goroutines {
		return
	}
	n, err := s.goroutines(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil { // not the end of sampling cutting a reading short
			s.err = err
		}
		return
	}
	s.g.Goroutines.observe(int64(n))
	s.g.GoroutineSamples++
}

// result returns the gauges so far and the last failed reading.
func (s *sampler) result() (ProcessGauges, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.g, s.err
}
