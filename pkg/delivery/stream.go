package delivery

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"
)

// stream is one source a worker reads (its delivery topic, or one retry
// tier): the fetch loop, the offset tracker and the commit loop.
type stream struct {
	w      *Worker
	src    Source
	offs   *offsets
	watch  *partitionWatch // the delivery topic only: notices partition takeovers
	tier   time.Duration   // 0 for the delivery topic
	signal chan struct{}
	done   chan struct{} // closed when the commit loop has made its final commit
}

func newStream(w *Worker, src Source, topic string, tier time.Duration) *stream {
	s := &stream{w: w, src: src, offs: newOffsets(topic), tier: tier,
		signal: make(chan struct{}, 1), done: make(chan struct{})}
	if tier == 0 {
		s.watch = newPartitionWatch()
	}
	return s
}

// fetch hands records to the dispatcher until ctx (the soft stop) is done.
// It stops pulling while the buffer is full or the circuit is open; tier
// records wait here until due, so a tier partition is held only by a record
// that is not due yet, and everything behind it was written later.
func (s *stream) fetch(ctx context.Context) {
	w := s.w
	for {
		if !w.acquireBuffer(ctx) {
			return
		}
		if !w.breaker.waitClosed(ctx) {
			w.releaseBuffer()
			return
		}
		m, err := s.src.Fetch(ctx)
		if err != nil {
			w.releaseBuffer()
			if ctx.Err() != nil || !s.backoff(ctx, err) {
				return
			}
			continue
		}
		if s.watch != nil && s.watch.takenOver(m.Partition, m.Offset) && !w.handover(ctx, m.Partition, m.Offset) {
			w.releaseBuffer()
			return
		}
		if !s.offs.add(m.Partition, m.Offset) {
			w.releaseBuffer()
			continue
		}
		j := newJob(m, s)
		if !s.waitDue(ctx, j) {
			w.releaseBuffer()
			return
		}
		w.disp.submit(j)
	}
}

func (s *stream) backoff(ctx context.Context, err error) bool {
	s.w.log.Warn("fetch failed", zap.String("topic", s.offs.topic), zap.Error(err))
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (s *stream) waitDue(ctx context.Context, j *job) bool {
	wait := j.due.Sub(s.w.clock.Now())
	if s.tier == 0 || wait <= 0 {
		return true
	}
	select {
	case <-ctx.Done():
		return false
	case <-s.w.clock.After(wait):
		return true
	}
}

// settle marks j's record settled and wakes the commit loop.
func (s *stream) settle(j *job) {
	if s.offs.settle(j.msg.Partition, j.msg.Offset) {
		select {
		case s.signal <- struct{}{}:
		default:
		}
	}
}

// commits commits settled positions as they advance until stop is closed,
// then makes a final commit and closes the source.
func (s *stream) commits(stop <-chan struct{}) {
	defer close(s.done)
	for {
		select {
		case <-s.signal:
			s.commit(context.Background())
		case <-stop:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			s.commit(ctx)
			cancel()
			if err := s.src.Close(); err != nil {
				s.w.log.Warn("close source failed", zap.String("topic", s.offs.topic), zap.Error(err))
			}
			return
		}
	}
}

func (s *stream) commit(ctx context.Context) {
	msgs := s.offs.take()
	if len(msgs) == 0 {
		return
	}
	if err := s.src.Commit(ctx, msgs...); err != nil {
		s.offs.untake(msgs)
		if !errors.Is(err, context.Canceled) {
			s.w.log.Warn("commit failed", zap.String("topic", s.offs.topic), zap.Error(err))
		}
		return
	}
	if s.tier > 0 {
		s.w.disp.committed(msgs)
	}
}
