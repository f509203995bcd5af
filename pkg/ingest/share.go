package ingest

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// written is the hash of an id this replica wrote, and when.
type written struct {
	hash uint64
	at   time.Time
}

// outbox holds the ids this replica wrote that are not yet published to
// the Journal: at most limit (beyond it the newest are dropped and counted:
// they only cost a possible duplicate).
type outbox struct {
	mu      sync.Mutex
	ids     []written
	limit   int
	dropped int
	ready   chan struct{} // has a token while ids is not empty
}

func newOutbox(limit int) *outbox {
	return &outbox{limit: limit, ready: make(chan struct{}, 1)}
}

func (o *outbox) add(h uint64, at time.Time) {
	o.mu.Lock()
	if len(o.ids) >= o.limit {
		o.dropped++
	} else {
		o.ids = append(o.ids, written{hash: h, at: at})
	}
	o.mu.Unlock()
	select {
	case o.ready <- struct{}{}:
	default:
	}
}

// take returns every id held and how many were dropped since the last take.
func (o *outbox) take() ([]written, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	out, dropped := o.ids, o.dropped
	o.ids, o.dropped = nil, 0
	return out, dropped
}

// putBack returns ids taken but not published to the front of the outbox.
func (o *outbox) putBack(ids []written) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ids = append(ids, o.ids...)
}

// share publishes the outbox to j, gathering ids for
// ingest.dedup_publish_interval before each publish, until ctx is done,
// then once more (within ingest.write_timeout).
func (in *Ingest) share(ctx context.Context, j Journal) {
	outage := kafka.NewOutage("publish dedup ids", in.backoff, in.log, in.now)
	for in.shareNext(ctx, j, outage) {
	}
	ids, _ := in.outbox.take()
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.cfg.WriteTimeout)
	defer cancel()
	if err := in.publish(pctx, j, ids); err != nil {
		in.log.Warn("dedup ids not shared at stop", zap.Int("count", len(ids)), zap.Error(err))
	}
}

// shareNext waits for ids, gathers more for the interval and publishes
// them, retrying with backoff for as long as Kafka is away; it returns
// false once ctx is done (unpublished ids back in the outbox).
func (in *Ingest) shareNext(ctx context.Context, j Journal, outage *kafka.Outage) bool {
	select {
	case <-ctx.Done():
		return false
	case <-in.outbox.ready:
	}
	if !wait(ctx, in.cfg.DedupPublishInterval) {
		return false
	}
	ids, dropped := in.outbox.take()
	if dropped > 0 {
		in.log.Warn("dedup ids not shared: outbox full", zap.Int("count", dropped))
	}
	for {
		err := in.publish(ctx, j, ids)
		switch {
		case err == nil:
			outage.Succeeded()
			return true
		case !outage.Failed(ctx, err):
			in.outbox.putBack(ids)
			return false
		}
	}
}

// publish publishes ids in runs written within one publish interval of
// each other, each run stamped with its first id's time.
func (in *Ingest) publish(ctx context.Context, j Journal, ids []written) error {
	for len(ids) > 0 {
		n := 1
		for n < len(ids) && ids[n].at.Sub(ids[0].at).Abs() <= in.cfg.DedupPublishInterval {
			n++
		}
		hashes := make([]uint64, n)
		for i := range hashes {
			hashes[i] = ids[i].hash
		}
		if err := j.Publish(ctx, ids[0].at, hashes); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// wait waits d or until ctx is done; false when ctx is done.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
