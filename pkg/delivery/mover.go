package delivery

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// mover consumes the shared retry tiers (one group member over all of
// them) and writes each record back to its subscription's delivery topic
// when it is due. A tier partition is fetched again only once the records
// in hand are moved, so it holds only the record at its head while that
// waits; partitions wait independently, one goroutine each while busy.
type mover struct {
	s    *Supervisor
	feed Feed
	log  *zap.Logger

	mu     sync.Mutex
	busy   map[kafka.TopicPartition]bool
	legacy map[string]tier // old per-subscription tiers being drained, by topic
	ctx    context.Context // the soft stop
	work   sync.WaitGroup
}

func newMover(s *Supervisor) *mover {
	return &mover{s: s, feed: s.deps.Tiers, log: s.log.Named("retry"), busy: map[kafka.TopicPartition]bool{}}
}

func (m *mover) run(ctx context.Context) {
	legacy := m.legacyTiers(ctx)
	m.mu.Lock()
	m.ctx, m.legacy = ctx, legacy
	m.mu.Unlock()
	topics := make([]string, 0, len(m.s.tiers)+len(legacy))
	for _, t := range m.s.tiers {
		topics = append(topics, t.topic)
	}
	for name := range legacy {
		topics = append(topics, name)
	}
	m.feed.SetTopics(topics)
	_ = m.feed.Run(ctx, m)
	m.work.Wait()
}

func (m *mover) Assigned(context.Context, []kafka.TopicPartition) {}
func (m *mover) Revoked([]kafka.TopicPartition)                   {}

func (m *mover) Ready(tp kafka.TopicPartition) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.busy[tp] && m.ctx.Err() == nil
}

func (m *mover) Records(tp kafka.TopicPartition, msgs []kafka.Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx.Err() != nil {
		return
	}
	m.busy[tp] = true
	m.work.Add(1)
	go m.move(m.ctx, tp, msgs)
}

// move moves msgs, in order, each once due; on a stop the rest stays
// uncommitted in the tier.
func (m *mover) move(ctx context.Context, tp kafka.TopicPartition, msgs []kafka.Message) {
	defer m.work.Done()
	defer func() {
		m.mu.Lock()
		delete(m.busy, tp)
		m.mu.Unlock()
		m.feed.Wake()
	}()
	t := m.tierOf(tp.Topic)
	for len(msgs) > 0 {
		if !m.waitDue(ctx, t, msgs[0]) {
			return
		}
		n := m.dueCount(t, msgs)
		if out := m.destinations(t, msgs[:n]); len(out) > 0 && !write(ctx, m.s.deps.Sink, m.log, out...) {
			return
		}
		if err := m.feed.Commit(map[kafka.TopicPartition]int64{tp: msgs[n-1].Offset}); err != nil {
			m.log.Warn("commit failed", zap.String("topic", tp.Topic), zap.Error(err))
		}
		msgs = msgs[n:]
	}
}

// hold is how long a record may keep its tier partition waiting: one tier
// delay and its jitter. A record due later (a long Retry-After) goes to the
// back of the tier instead, so it never holds up records due sooner.
func (m *mover) hold(t tier) time.Duration {
	return t.delay + time.Duration(float64(t.delay)*m.s.cfg.RetryJitter) + time.Second
}

// fit is the tier a record due in wait goes to: the first whose hold
// covers it, else the last (it goes round that one again after waiting
// out its hold).
func (m *mover) fit(wait time.Duration) tier {
	for _, t := range m.s.tiers {
		if m.hold(t) >= wait {
			return t
		}
	}
	return m.s.tiers[len(m.s.tiers)-1]
}

// waitDue waits until msg is due, or must move to a tier that holds it
// longer. A record due beyond even the last tier's hold waits that hold out
// first: written back to the same tier at once, a lone record would come
// straight back, round and round.
func (m *mover) waitDue(ctx context.Context, t tier, msg kafka.Message) bool {
	wait := headerTime(msg, event.HeaderRetryDue).Sub(m.s.clock.Now())
	if wait > m.hold(t) && m.fit(wait).topic != t.topic {
		return true
	}
	wait = min(wait, m.hold(t))
	if wait <= 0 {
		return true
	}
	select {
	case <-ctx.Done():
		return false
	case <-m.s.clock.After(wait):
		return true
	}
}

// dueCount is how many records from the head are due now (at least one:
// the head, which waitDue waited for).
func (m *mover) dueCount(t tier, msgs []kafka.Message) int {
	now := m.s.clock.Now()
	n := 1
	for n < len(msgs) {
		due := headerTime(msgs[n], event.HeaderRetryDue)
		if due.After(now) && due.Sub(now) <= m.hold(t) {
			break
		}
		n++
	}
	return n
}

// destinations are msgs as they are written on: back to the delivery topic
// when due, or round the tier again (a record due beyond hold). Records of
// a subscription that no longer exists are dropped.
func (m *mover) destinations(t tier, msgs []kafka.Message) []kafka.Message {
	now := m.s.clock.Now()
	out := make([]kafka.Message, 0, len(msgs))
	for _, msg := range msgs {
		sub := header(msg, event.HeaderSubscription)
		if !m.s.exists(sub) {
			m.log.Warn("retry of an unknown subscription dropped", zap.String("subscription", sub),
				zap.String("topic", msg.Topic), zap.Int("partition", msg.Partition), zap.Int64("offset", msg.Offset))
			continue
		}
		topic := m.s.cfg.Topics.DeliverPrefix + sub
		if wait := headerTime(msg, event.HeaderRetryDue).Sub(now); wait > m.hold(t) {
			topic = m.fit(wait).topic
		}
		out = append(out, kafka.Message{Topic: topic, Key: msg.Key, Value: msg.Value, Headers: msg.Headers})
	}
	return out
}

// tierOf is the tier a topic's records wait in: its own, or for an old
// per-subscription tier the shared one of the same delay.
func (m *mover) tierOf(topic string) tier {
	if t, ok := tierOfTopic(m.s.tiers, topic); ok {
		return t
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.legacy[topic]
}
