package bench

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// adminConcurrency bounds the admin API requests in flight while the run's
// subscriptions are made or removed.
const adminConcurrency = 16

// SubscriptionSetup is how the run's subscriptions were made.
type SubscriptionSetup struct {
	Count       int     `json:"count"`
	Seconds     float64 `json:"seconds"`
	PerSec      float64 `json:"perSec"`
	Concurrency int     `json:"concurrency"`
}

// subscribe creates one subscription per endpoint (the --add-during ones
// excepted), adminConcurrency at a time, and hands each endpoint its secret.
func (r *runner) subscribe(ctx context.Context) error {
	r.subs = make([]string, len(r.recv.Endpoints))
	start := time.Now()
	err := r.eachSub(ctx, 0, r.o.Subscriptions, "created", r.createSub)
	r.setup = setupOf(r.o.Subscriptions, time.Since(start))
	r.progressf("bench: %d subscriptions created in %.1fs", r.o.Subscriptions, r.setup.Seconds)
	return err
}

func setupOf(n int, took time.Duration) SubscriptionSetup {
	s := SubscriptionSetup{Count: n, Seconds: took.Seconds(), Concurrency: adminConcurrency}
	if took > 0 {
		s.PerSec = float64(n) / took.Seconds()
	}
	return s
}

// createSub creates the subscription of endpoint i.
func (r *runner) createSub(ctx context.Context, i int) error {
	id := "bench-" + r.id + "-" + strconv.Itoa(i)
	secret, err := r.admin.Create(ctx, id, r.recv.URL(i))
	if err != nil {
		return err
	}
	r.subs[i] = id
	return r.recv.Endpoints[i].SetSecret(secret)
}

// unsubscribe deletes every subscription the run made.
func (r *runner) unsubscribe(ctx context.Context) error {
	return r.eachSub(ctx, 0, len(r.subs), "deleted", func(ctx context.Context, i int) error {
		if r.subs[i] == "" {
			return nil
		}
		return r.admin.Delete(ctx, r.subs[i])
	})
}

// eachSub runs do for every endpoint index in [from, to), at most
// adminConcurrency at a time, with a progress line a second; the first
// error stops the rest and is returned.
func (r *runner) eachSub(ctx context.Context, from, to int, verb string, do func(context.Context, int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(adminConcurrency)
	var done atomic.Int64
	stop := r.ticking(ctx, time.Second, func() {
		r.progressf("bench: subscriptions %s: %d of %d", verb, done.Load(), to-from)
	})
	defer stop()
	for i := from; i < to && gctx.Err() == nil; i++ {
		g.Go(func() error {
			if err := do(gctx, i); err != nil {
				return err
			}
			done.Add(1)
			return nil
		})
	}
	return g.Wait()
}

// ticking calls f every d until the returned stop is called (which waits
// for a call in progress) or ctx is done.
func (r *runner) ticking(ctx context.Context, d time.Duration, f func()) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f()
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
