package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// killPause is how long a killed sender stays down before it is started
// again: long enough for the group to notice (its session times out) and
// hand its partitions to the others.
const killPause = 5 * time.Second

// Senders is what --senders and --kill-sender did: extra engagehub
// processes running only the sender role beside the main one, sharing the
// subscriptions through the sender group; one of them killed with SIGKILL
// halfway through the load and started again.
type Senders struct {
	// Count is the sender instances, the main process included.
	Count int `json:"count"`
	// Killed says whether one was killed; KilledAtSeconds when (from the
	// load's start) and ReadySeconds how long its restart took to /readyz.
	Killed          bool    `json:"killed"`
	KilledAtSeconds float64 `json:"killedAtSeconds,omitempty"`
	ReadySeconds    float64 `json:"restartReadySeconds,omitempty"`
	Error           string  `json:"error,omitempty"`
}

// startSenders runs the --senders beyond the main process, each with only
// the sender role, and waits until every one is ready.
func (r *runner) startSenders(ctx context.Context) error {
	for i := 1; i < r.o.Senders; i++ {
		o, err := r.senderOptions(i)
		if err != nil {
			return err
		}
		c, err := r.launch(ctx, o)
		if err != nil {
			return fmt.Errorf("bench: sender %d: %w", i, err)
		}
		r.senders = append(r.senders, c)
		r.senderO = append(r.senderO, o)
	}
	r.onStop(r.stopSenders)
	return nil
}

// senderOptions are the main child's options for sender instance i: its
// own address and log, the sender role only.
func (r *runner) senderOptions(i int) (ChildOptions, error) {
	listen, err := freeAddr()
	if err != nil {
		return ChildOptions{}, err
	}
	o := r.childO
	o.Listen, o.Roles = listen, "sender"
	o.LogPath = filepath.Join(r.dir, "engagehub-sender-"+strconv.Itoa(i)+".log")
	return o, nil
}

// launch starts a child with o and waits until it is ready.
func (r *runner) launch(ctx context.Context, o ChildOptions) (*Child, error) {
	c, err := StartChild(o)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := c.WaitReady(rctx, r.client); err != nil {
		_ = c.Stop(5 * time.Second)
		return nil, err
	}
	return c, nil
}

func (r *runner) stopSenders() {
	for _, c := range r.senders {
		if c != nil {
			_ = c.Stop(30 * time.Second)
		}
	}
	r.senders = nil
}

// startKillSender kills the first extra sender with SIGKILL halfway
// through the load and starts it again after killPause; the returned
// channel closes when that is done (at once when not asked).
func (r *runner) startKillSender(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if !r.o.KillSender || len(r.senders) == 0 {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		if wait(ctx, r.o.Duration/2); ctx.Err() != nil {
			return
		}
		r.m.senders = r.killAndRestart(ctx)
	}()
	return done
}

// killAndRestart kills sender 1 with SIGKILL, waits killPause and starts
// it again with the same options.
func (r *runner) killAndRestart(ctx context.Context) *Senders {
	s := &Senders{Count: r.o.Senders, Killed: true, KilledAtSeconds: seconds(r.clock.Nanos() - r.m.start)}
	victim := r.senders[0]
	r.progressf("bench: kill -9 sender 1 (pid %d)", victim.Pid())
	_ = syscall.Kill(victim.Pid(), syscall.SIGKILL)
	<-victim.Exited()
	_ = victim.log.Close()
	r.senders[0] = nil
	if wait(ctx, killPause); ctx.Err() != nil {
		return s
	}
	start := time.Now()
	c, err := r.launch(ctx, r.senderO[0])
	if err != nil {
		s.Error = err.Error()
		return s
	}
	r.senders[0] = c
	s.ReadySeconds = time.Since(start).Seconds()
	r.progressf("bench: sender 1 restarted, ready in %.1f s", s.ReadySeconds)
	return s
}

// sendersReport is the --senders part of the report; nil with one sender.
func (r *runner) sendersReport() *Senders {
	if r.o.Senders <= 1 {
		return nil
	}
	if r.m.senders != nil {
		return r.m.senders
	}
	return &Senders{Count: r.o.Senders}
}
