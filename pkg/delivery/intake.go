package delivery

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// The Supervisor is the kafka.ConsumerHandler of the delivery feed: it
// learns which partitions it owns, says which may be fetched, and hands
// each fetched record to its subscription's worker.

// Assigned starts tracking offsets of parts and, before any of their
// records is handed over, rebuilds which contacts of their subscriptions
// are parked in the retry tiers (after a restart, or when a partition moved
// here from another instance).
func (s *Supervisor) Assigned(ctx context.Context, parts []kafka.TopicPartition) {
	subs := map[string]*Worker{}
	s.mu.Lock()
	for _, tp := range parts {
		if s.offs[tp.Topic] == nil {
			s.offs[tp.Topic] = newOffsets(tp.Topic)
		}
		s.offs[tp.Topic].reset(tp.Partition)
	}
	s.mu.Unlock()
	for _, tp := range parts {
		if w := s.workerOf(tp.Topic); w != nil {
			subs[w.ep.ID] = w
		}
	}
	s.restoreParked(ctx, subs)
}

// Revoked forgets the offsets of parts: records of them still being worked
// on settle without effect, and their new owner delivers them again.
func (s *Supervisor) Revoked(parts []kafka.TopicPartition) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tp := range parts {
		if o := s.offs[tp.Topic]; o != nil {
			o.drop(tp.Partition)
		}
	}
	s.log.Info("partitions revoked", zap.Int("count", len(parts)))
}

// Ready: a partition is fetched only while its subscription can take more
// (buffer, circuit, not disabled) and the shared buffer has room.
func (s *Supervisor) Ready(tp kafka.TopicPartition) bool {
	if s.soft.Err() != nil || s.buffered.Load() >= int64(s.cfg.MaxBufferedTotal) {
		return false
	}
	w := s.workerOf(tp.Topic)
	return w != nil && w.ready()
}

// Records hands fetched records to their worker; one fetched again (after a
// rebalance) is skipped.
func (s *Supervisor) Records(tp kafka.TopicPartition, msgs []kafka.Message) {
	if s.soft.Err() != nil {
		return
	}
	w := s.workerOf(tp.Topic)
	s.mu.Lock()
	o := s.offs[tp.Topic]
	s.mu.Unlock()
	if w == nil || o == nil {
		return
	}
	for _, m := range msgs {
		if o.add(tp.Partition, m.Offset) {
			w.take(m)
		}
	}
}

// settle marks j's record settled and wakes the commit loop.
func (s *Supervisor) settle(j *job) {
	s.mu.Lock()
	o := s.offs[j.msg.Topic]
	s.mu.Unlock()
	if o != nil && o.settle(j.msg.Partition, j.msg.Offset) {
		select {
		case s.commit <- struct{}{}:
		default:
		}
	}
}

// commits commits settled positions as they advance until stop is closed,
// then makes a final commit. One commit request covers every subscription.
func (s *Supervisor) commits(stop <-chan struct{}) {
	var next <-chan time.Time // set: the next commit waits for it
	failing := false
	for {
		select {
		case <-s.commit:
			if next != nil {
				continue // settled meanwhile: the next commit takes it
			}
		case <-next:
		case <-stop:
			s.commitAll(false)
			return
		}
		next = nil
		n, ok := s.commitAll(failing)
		switch failing = !ok; {
		case failing:
			next = time.After(100 * time.Millisecond) // I/O backoff, not a schedule
		case n > 0 && s.cfg.CommitInterval > 0:
			next = time.After(s.cfg.CommitInterval) // commit cadence, not a schedule
		}
	}
}

// commitAll commits every advanced position in one request and says how
// many; ok is false when it failed (the positions are kept for the next). A failure is logged when
// the last commit succeeded (wasFailing false); repeats only at debug (a
// rejoin takes seconds of retries).
func (s *Supervisor) commitAll(wasFailing bool) (n int, ok bool) {
	s.mu.Lock()
	all := map[kafka.TopicPartition]int64{}
	for _, o := range s.offs {
		for p, off := range o.take() {
			all[kafka.TopicPartition{Topic: o.topic, Partition: p}] = off
		}
	}
	s.mu.Unlock()
	if len(all) == 0 {
		return 0, true
	}
	err := s.deps.Deliveries.Commit(all)
	s.mu.Lock()
	defer s.mu.Unlock()
	for tp, off := range all {
		if o := s.offs[tp.Topic]; o != nil {
			o.committed(tp.Partition, off, err == nil)
		}
	}
	switch {
	case err != nil && !wasFailing:
		s.log.Warn("commit failed; retrying", zap.Int("count", len(all)), zap.Error(err))
	case err != nil:
		s.log.Debug("commit failed again; retrying", zap.Int("count", len(all)), zap.Error(err))
	case wasFailing:
		s.log.Info("commit succeeded again", zap.Int("count", len(all)))
	}
	return len(all), err == nil
}
