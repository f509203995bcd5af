package bench

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// measurement is what the measured window (load, then drain) recorded.
type measurement struct {
	start, loadEnd, end int64 // Clock nanos
	childBefore         ProcStats
	childAfter          ProcStats
	selfCPU             time.Duration
	otherCPUs           float64 // CPUs' worth used by other processes
	drain               drainEnd
	profile             string
	profileErr          error
	gauges              ProcessGauges
	gaugeErr            error     // the last failed sample
	added               *addition // what --add-during did, if asked
	senders             *Senders  // what --kill-sender did, if asked
}

// warmUp sends single probe events until one reaches every healthy
// endpoint: subscriptions are seen by fan-out, consumer groups have
// joined, connections are open. Probes are not measured.
func (r *runner) warmUp(ctx context.Context) error {
	timeout := r.warmUpTimeout()
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := r.child.BaseURL() + "/v1/events"
	for k := 0; ; k++ {
		body := r.env.Append(nil, kindWarmup, k)
		if err := postJSON(wctx, r.client, url, r.token, body); err != nil {
			return fmt.Errorf("bench: warm-up event (is the ingest role wired?): %w", err)
		}
		if r.pollUntil(wctx, 3*time.Second, func() bool { return r.warmedUp(k) }) {
			return nil
		}
		r.progressf("bench: warm-up: probe %d reached %d of %d endpoints", k, r.warmedCount(k), len(r.healthy()))
		if wctx.Err() != nil {
			return fmt.Errorf("bench: warm-up: no probe reached every endpoint within %s (fan-out and sender wired?); engagehub log:\n%s", timeout, r.child.LogTail(30))
		}
	}
}

func (r *runner) warmedCount(k int) int {
	n := 0
	for _, ep := range r.healthy() {
		if ep.WarmedUp(k) {
			n++
		}
	}
	return n
}

func (r *runner) warmedUp(k int) bool {
	for _, ep := range r.healthy() {
		if !ep.WarmedUp(k) {
			return false
		}
	}
	return true
}

// healthy are the endpoints that answer 2xx and had their subscription
// from the start: every acked event must reach them.
func (r *runner) healthy() []*Endpoint {
	return r.recv.Endpoints[:r.o.Subscriptions-r.o.Failing]
}

// added are the endpoints of the --add-during subscriptions.
func (r *runner) added() []*Endpoint { return r.recv.Endpoints[r.o.Subscriptions:] }

// pollUntil checks cond every 50ms for up to d; it reports whether cond held.
func (r *runner) pollUntil(ctx context.Context, d time.Duration, cond func() bool) bool {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return false
		case <-t.C:
		}
	}
	return true
}

// ingestPath is the door the load goes in by.
func (r *runner) ingestPath() string {
	if r.o.Door == DoorEngage {
		return "/ingest/engage"
	}
	return "/v1/events"
}

// measure offers the load, then waits for the deliveries, recording the
// child's CPU, memory, goroutines, descriptors and connections and the
// bench's own CPU over that window.
func (r *runner) measure(ctx context.Context) error {
	var err error
	if r.m.childBefore, err = r.child.Stats(); err != nil {
		return err
	}
	selfBefore := selfCPU()
	sysBefore, _ := ReadSystemCPU()
	r.load = NewLoad(LoadOptions{
		URL: r.child.BaseURL() + r.ingestPath(), Token: r.token, Signer: r.signer, Rate: r.o.Rate, Batch: r.o.Batch,
		Concurrency: r.o.Concurrency, Duration: r.o.Duration,
		Backlog: r.backlog, MaxBacklog: r.o.MaxBacklog,
	}, r.env, r.client, r.clock, time.Now)
	r.m.start = r.clock.Nanos()
	stopSampling := r.startSampling(ctx)
	stopProgress := r.ticking(ctx, time.Second, r.progressLine)
	profiled, added, killed := r.startProfile(ctx), r.startAddDuring(ctx), r.startKillSender(ctx)
	r.offer(ctx)
	r.m.end = r.clock.Nanos()
	stopProgress()
	r.progressLine()
	<-profiled
	<-added
	<-killed
	stopSampling()
	r.m.selfCPU = selfCPU() - selfBefore
	if r.m.childAfter, err = r.child.Stats(); err != nil {
		return err
	}
	sysAfter, _ := ReadSystemCPU()
	r.m.otherCPUs = otherCPUs(sysBefore, sysAfter, r.m.selfCPU+r.m.childAfter.CPU-r.m.childBefore.CPU, r.clock.Since(r.m.start))
	return ctx.Err()
}

// offer runs the load and waits for its deliveries; idle, it waits out
// the window.
func (r *runner) offer(ctx context.Context) {
	if r.o.Idle {
		wait(ctx, r.o.Duration)
		r.m.loadEnd, r.m.drain = r.clock.Nanos(), drainComplete
		return
	}
	r.load.Run(ctx)
	r.m.loadEnd = r.clock.Nanos()
	r.m.drain = r.drain(ctx)
}

// startSampling samples the child until the returned stop, which takes
// the last (end) sample and keeps the result.
func (r *runner) startSampling(ctx context.Context) (stop func()) {
	pid, ports, base := r.child.Pid(), brokerPorts(r.brokers), r.child.BaseURL()
	r.smp = &sampler{
		proc: func() (FDStats, error) { return ReadFDStats(pid, ports) },
		goroutines: func(ctx context.Context) (int, error) {
			return FetchGoroutines(ctx, r.client, base, r.token)
		},
	}
	r.smp.g.FDLimit, _ = ReadFDLimit(pid) // unknown (0) is no reason to stop
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.smp.run(sctx, sampleInterval)
	}()
	return func() {
		cancel()
		<-done
		r.smp.sample(ctx, true)
		r.m.gauges, r.m.gaugeErr = r.smp.result()
	}
}

// drainEnd says how the wait for deliveries ended.
type drainEnd int

const (
	drainComplete drainEnd = iota // every acked event arrived everywhere
	drainIdle                     // nothing arrived for --drain-idle: the missing ones are lost
	drainCutOff                   // --drain passed while deliveries still flowed: unproven
)

// drain waits until every acked event reached every healthy endpoint, no
// delivery arrived for --drain-idle, or --drain passed.
func (r *runner) drain(ctx context.Context) drainEnd {
	deadline := time.Now().Add(r.o.Drain)
	last, lastAt := int64(-1), time.Now()
	for {
		if r.pollUntil(ctx, time.Second, r.allArrived) && r.tally().Losses == 0 {
			return drainComplete
		}
		if d := r.delivered(); d != last {
			last, lastAt = d, time.Now()
		}
		switch {
		case ctx.Err() != nil || !time.Now().Before(deadline):
			return drainCutOff
		case time.Since(lastAt) >= r.o.DrainIdle:
			return drainIdle
		}
	}
}

// backlog is the number of deliveries owed to healthy endpoints.
func (r *runner) backlog() int64 {
	return r.load.Acked()*int64(len(r.healthy())) - r.delivered()
}

// allArrived is the cheap check: every healthy endpoint counted as many
// distinct events as were acked.
func (r *runner) allArrived() bool {
	acked := r.load.Acked()
	for _, ep := range r.healthy() {
		if ep.Delivered() < acked {
			return false
		}
	}
	return true
}

func (r *runner) delivered() int64 {
	var n int64
	for _, ep := range r.healthy() {
		n += ep.Delivered()
	}
	return n
}

func (r *runner) progressLine() {
	g, _ := r.smp.result()
	r.progressf("bench: %5.1fs  sent %d  acked %d  delivered %d  backlog %d  (engagehub: %d goroutines, %d fds, %d broker conns)",
		r.clock.Since(r.m.start).Seconds(), r.load.Sent(), r.load.Acked(), r.delivered(), r.backlog(),
		g.Goroutines.End, g.OpenFDs.End, g.BrokerConns.End)
}

// startProfile fetches a CPU profile of engagehub covering the load, when
// asked; the returned channel closes when it is written (or failed).
func (r *runner) startProfile(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if r.o.CPUProfile == "" {
		close(done)
		return done
	}
	secs := max(int(r.o.Duration/time.Second), 1)
	go func() {
		defer close(done)
		r.m.profileErr = FetchProfile(ctx, r.client, r.child.BaseURL(), r.token, secs, r.o.CPUProfile)
		if r.m.profileErr == nil {
			r.m.profile = r.o.CPUProfile
		}
	}()
	return done
}

// otherCPUs is how many CPUs' worth other processes used between two
// readings of the machine's CPU time, given what ours used over wall time.
func otherCPUs(before, after SystemCPU, ours, wall time.Duration) float64 {
	others := after.Busy - before.Busy - ours
	if wall <= 0 || others < 0 {
		return 0
	}
	return others.Seconds() / wall.Seconds()
}

// selfCPU is the bench process's own user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
