package delivery

import (
	"context"
	"strings"

	"go.uber.org/zap"
)

// Upgrading from one consumer group per subscription. Before this sender
// (engagehub ≤ 0.1) each subscription had its own group,
// engagehub-sender-<id>, and its own retry tiers,
// engagehub.retry.<id>.<delay>, read by engagehub-sender-<id>-retry-<delay>.
// The shared groups start each partition where the old group left it, and
// the mover drains the old tiers into the delivery topics, so an upgrade
// neither redelivers everything nor strands a retry.

// legacyGroupPrefix is the old default of sender.topics.group_prefix.
const legacyGroupPrefix = "engagehub-sender-"

// LegacyGroups returns, for a topic the sender consumes, the group that read
// it before the upgrade ("" for none): the Fallback of both consumers.
func LegacyGroups(cfg Config) func(topic string) string {
	return func(topic string) string {
		if id, ok := strings.CutPrefix(topic, cfg.Topics.DeliverPrefix); ok {
			return legacyGroupPrefix + id
		}
		if id, delay, ok := legacyTier(cfg, topic); ok {
			return legacyGroupPrefix + id + "-retry-" + delay
		}
		return ""
	}
}

// legacyTier splits an old per-subscription tier topic into its
// subscription id and delay.
func legacyTier(cfg Config, topic string) (id, delay string, ok bool) {
	rest, ok := strings.CutPrefix(topic, cfg.Topics.RetryPrefix)
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

// legacyTiers lists the old tier topics still on the cluster, each with the
// shared tier of its delay (where a record not yet due is requeued).
func (m *mover) legacyTiers(ctx context.Context) map[string]tier {
	names, err := m.s.deps.Broker.Topics(ctx, m.s.cfg.Topics.RetryPrefix)
	if err != nil {
		m.log.Warn("old retry tiers not listed; they are not drained", zap.Error(err))
		return nil
	}
	out := map[string]tier{}
	for _, name := range names {
		_, delay, ok := legacyTier(m.s.cfg, name)
		if !ok {
			continue
		}
		for _, t := range m.s.tiers {
			if shortDuration(t.delay) == delay {
				out[name] = t
			}
		}
	}
	return out
}
