package kafka

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"go.uber.org/zap"
)

// generation is what the membership loop hears from its consumer group.
type generation struct {
	cg  *kafkago.ConsumerGroup
	gen *kafkago.Generation
	err error
}

// membership keeps the member in the group with the current topics until
// ctx ends: a topic change rejoins (after RejoinDelay, and no sooner than
// RejoinInterval after the last rejoin), every new generation is adopted
// as it comes (a change waiting for its rejoin does not hold it up),
// errors are logged and waited out.
func (gc *GroupConsumer) membership(ctx context.Context, h ConsumerHandler) {
	gens := make(chan generation)
	var joined []string
	var last time.Time       // of the last rejoin
	var due <-chan time.Time // a change waiting for its rejoin
	for {
		select {
		case <-ctx.Done():
			return
		case <-gc.changed:
			if due == nil {
				due = time.After(max(gc.opts.RejoinDelay, time.Until(last.Add(gc.opts.RejoinInterval))))
			}
		case <-due:
			due = nil
			topics := gc.currentTopics()
			if slices.Equal(topics, joined) {
				continue
			}
			joined, last = topics, time.Now()
			gc.rejoin(ctx, h, topics, gens)
		case g := <-gens:
			gc.adoptOrLog(ctx, h, g)
		}
	}
}

func (gc *GroupConsumer) currentTopics() []string {
	gc.topicsMu.Lock()
	defer gc.topicsMu.Unlock()
	return gc.topics
}

// rejoin replaces the consumer group by one over topics (none: the member
// leaves and owns nothing).
func (gc *GroupConsumer) rejoin(ctx context.Context, h ConsumerHandler, topics []string, gens chan<- generation) {
	gc.mu.Lock()
	gc.joined = topics
	gc.mu.Unlock()
	if err := gc.Close(); err != nil {
		gc.log.Warn("leave group failed", zap.Error(err))
	}
	if len(topics) == 0 {
		gc.adopt(ctx, h, nil, nil)
		return
	}
	gc.log.Debug("joining group", zap.Int("topics", len(topics)))
	cg, err := kafkago.NewConsumerGroup(kafkago.ConsumerGroupConfig{
		ID: gc.group, Brokers: gc.c.brokers, Dialer: gc.c.dialer, Topics: topics,
		// Range second: a group whose members include kafka-go Readers (an
		// instance not yet upgraded; they offer range and round-robin)
		// agrees on range until the last of them leaves, instead of
		// refusing the new members.
		GroupBalancers:    []kafkago.GroupBalancer{gc.balancer, kafkago.RangeGroupBalancer{}},
		HeartbeatInterval: time.Second, SessionTimeout: gc.opts.SessionTimeout,
		RebalanceTimeout: gc.opts.SessionTimeout, JoinGroupBackoff: time.Second,
		StartOffset: kafkago.FirstOffset, Timeout: 10 * time.Second,
		Logger: gc.kafkaLog(), ErrorLogger: gc.kafkaLog(),
	})
	if err != nil {
		gc.log.Error("consumer group not created", zap.Error(err))
		return
	}
	gc.mu.Lock()
	gc.cg = cg
	gc.mu.Unlock()
	go gc.generations(ctx, cg, gens)
}

// generations forwards cg's generations and errors until cg closes.
func (gc *GroupConsumer) generations(ctx context.Context, cg *kafkago.ConsumerGroup, gens chan<- generation) {
	for {
		gen, err := cg.Next(ctx)
		if errors.Is(err, kafkago.ErrGroupClosed) || ctx.Err() != nil {
			return
		}
		select {
		case gens <- generation{cg: cg, gen: gen, err: err}:
		case <-ctx.Done():
			return
		}
	}
}

func (gc *GroupConsumer) adoptOrLog(ctx context.Context, h ConsumerHandler, g generation) {
	gc.mu.Lock()
	current := g.cg == gc.cg
	gc.mu.Unlock()
	switch {
	case !current:
		return // from a group already replaced
	case g.err != nil:
		gc.mu.Lock()
		gc.gen = nil // commits wait for the next generation; Member reports false
		gc.mu.Unlock()
		gc.log.Warn("group membership failed; rejoining", zap.Error(g.err))
	default:
		gc.adopt(ctx, h, g.gen, g.gen.Assignments)
	}
}

// adopt makes gen current: partitions no longer assigned are revoked, new
// ones start at their committed offset (or the first one) after the
// handler has taken them. Partitions kept keep their fetch position.
func (gc *GroupConsumer) adopt(ctx context.Context, h ConsumerHandler, gen *kafkago.Generation, assigned map[string][]kafkago.PartitionAssignment) {
	want := map[TopicPartition]int64{}
	for topic, ps := range assigned {
		for _, p := range ps {
			want[TopicPartition{topic, p.ID}] = p.Offset
		}
	}
	gc.mu.Lock()
	gc.gen = gen
	var revoked, added []TopicPartition
	for tp := range gc.parts {
		if _, ok := want[tp]; !ok {
			revoked = append(revoked, tp)
			delete(gc.parts, tp)
		}
	}
	for tp := range want {
		if gc.parts[tp] == nil {
			added = append(added, tp)
		}
	}
	gc.mu.Unlock()
	if len(revoked) > 0 {
		h.Revoked(revoked)
	}
	if len(added) == 0 {
		return
	}
	gc.log.Info("partitions assigned", zap.Int("count", len(added)), zap.Int("revoked", len(revoked)))
	h.Assigned(ctx, added)
	starts := gc.starts(ctx, added, want)
	gc.mu.Lock()
	for _, tp := range added {
		gc.parts[tp] = &fetchPos{next: starts[tp], hw: -1}
	}
	gc.mu.Unlock()
	gc.commitStarts(gen, added, want, starts)
	gc.Wake()
}

// commitStarts commits the start of partitions the group had no offset
// for, so the next start (and Kafka's tools) find one there: a quiet
// partition is then never looked up again.
func (gc *GroupConsumer) commitStarts(gen *kafkago.Generation, added []TopicPartition, committed, starts map[TopicPartition]int64) {
	fresh := map[string]map[int]int64{}
	for _, tp := range added {
		if committed[tp] >= 0 || starts[tp] < 0 {
			continue
		}
		if fresh[tp.Topic] == nil {
			fresh[tp.Topic] = map[int]int64{}
		}
		fresh[tp.Topic][tp.Partition] = starts[tp]
	}
	if len(fresh) == 0 || gen == nil {
		return
	}
	if err := gen.CommitOffsets(fresh); err != nil {
		gc.log.Warn("commit of start offsets failed", zap.Error(err))
	}
}

// starts turns committed offsets into fetch positions: a partition with
// none starts where the Fallback group left it, else at offset 0 — its
// first offset, unless retention removed records, which the first fetch
// answers with OFFSET_OUT_OF_RANGE and partitionError resolves. (Asking for
// the first offsets up front would cost one ListOffsets request per
// partition: kafka-go splits them, thousands at once.)
func (gc *GroupConsumer) starts(ctx context.Context, tps []TopicPartition, committed map[TopicPartition]int64) map[TopicPartition]int64 {
	out := make(map[TopicPartition]int64, len(tps))
	fallback := gc.fallbackOffsets(ctx, tps, committed)
	for _, tp := range tps {
		switch off, ok := fallback[tp]; {
		case committed[tp] >= 0:
			out[tp] = committed[tp]
		case ok && off >= 0:
			out[tp] = off
		default:
			out[tp] = 0
		}
	}
	return out
}

// resolve turns committed offsets into fetch positions: a partition with
// none starts at its first offset (one ListOffsets request per partition:
// for the few that need it, e.g. after OFFSET_OUT_OF_RANGE).
func (gc *GroupConsumer) resolve(ctx context.Context, tps []TopicPartition, committed map[TopicPartition]int64) map[TopicPartition]int64 {
	out := make(map[TopicPartition]int64, len(tps))
	reqs := map[string][]kafkago.OffsetRequest{}
	for _, tp := range tps {
		if off := committed[tp]; off >= 0 {
			out[tp] = off
			continue
		}
		out[tp] = unresolved
		reqs[tp.Topic] = append(reqs[tp.Topic], kafkago.FirstOffsetOf(tp.Partition))
	}
	if len(reqs) == 0 {
		return out
	}
	res, err := gc.c.admin.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: reqs})
	if err != nil {
		gc.log.Warn("first offsets unknown; retried at fetch", zap.Error(err))
		return out
	}
	for topic, ps := range res.Topics {
		for _, p := range ps {
			if p.Error == nil {
				out[TopicPartition{topic, p.Partition}] = p.FirstOffset
			}
		}
	}
	return out
}

// fallbackOffsets reads the Fallback groups' committed offsets of the
// partitions this group has none for (one request per topic).
func (gc *GroupConsumer) fallbackOffsets(ctx context.Context, tps []TopicPartition, committed map[TopicPartition]int64) map[TopicPartition]int64 {
	out := map[TopicPartition]int64{}
	if gc.opts.Fallback == nil {
		return out
	}
	exists := gc.groups(ctx)
	asked := map[string]bool{}
	for _, tp := range tps {
		group := gc.opts.Fallback(tp.Topic)
		if committed[tp] >= 0 || group == "" || asked[tp.Topic] || (exists != nil && !exists[group]) {
			continue
		}
		asked[tp.Topic] = true
		offs, err := gc.c.GroupOffsets(ctx, group, tp.Topic)
		if err != nil {
			gc.log.Warn("fallback offsets unknown", zap.String("topic", tp.Topic), zap.Error(err))
			continue
		}
		for p, off := range offs {
			out[TopicPartition{tp.Topic, p}] = off
		}
	}
	return out
}

// groups lists the consumer groups of the cluster (one request), so that
// fallback offsets are asked only of groups that exist: a fresh install
// asks none. nil when the list is unknown (then every group is asked).
func (gc *GroupConsumer) groups(ctx context.Context) map[string]bool {
	res, err := gc.c.admin.ListGroups(ctx, &kafkago.ListGroupsRequest{})
	if err != nil || res.Error != nil {
		return nil
	}
	out := make(map[string]bool, len(res.Groups))
	for _, g := range res.Groups {
		out[g.GroupID] = true
	}
	return out
}

// rendezvous assigns each partition to the subscribed member whose
// instance id hashes highest with it: a member joining or leaving, or a
// topic appearing, moves only the partitions it must, and a restarted
// process (new instance id) is a new member like any other.
type rendezvous struct{ instance string }

func (r rendezvous) ProtocolName() string      { return "engagehub-rendezvous" }
func (r rendezvous) UserData() ([]byte, error) { return []byte(r.instance), nil }

func (r rendezvous) AssignGroups(members []kafkago.GroupMember, partitions []kafkago.Partition) kafkago.GroupMemberAssignments {
	out := kafkago.GroupMemberAssignments{}
	for _, m := range members {
		out[m.ID] = map[string][]int{}
	}
	for _, p := range partitions {
		best, bestScore := "", uint64(0)
		for _, m := range members {
			if !slices.Contains(m.Topics, p.Topic) {
				continue
			}
			if s := score(instanceOf(m), p.Topic, p.ID); best == "" || s > bestScore {
				best, bestScore = m.ID, s
			}
		}
		if best != "" {
			out[best][p.Topic] = append(out[best][p.Topic], p.ID)
		}
	}
	return out
}

func instanceOf(m kafkago.GroupMember) string {
	if len(m.UserData) > 0 {
		return string(m.UserData)
	}
	return m.ID
}

func score(instance, topic string, partition int) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(instance))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(topic))
	_, _ = h.Write([]byte{0, byte(partition >> 8), byte(partition)})
	x := h.Sum64()
	// finalize (splitmix64) so nearby inputs spread over the whole range
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// kafkaLog passes kafka-go's group log (joins, syncs, their failures) on
// at debug level, without its lines per member, partition and commit
// (thousands per join with a thousand subscriptions): the membership loop
// reports what matters itself.
func (gc *GroupConsumer) kafkaLog() kafkago.Logger {
	return kafkago.LoggerFunc(func(format string, args ...any) {
		ce := gc.log.Check(zap.DebugLevel, "kafka-go")
		if ce == nil || slices.ContainsFunc(kafkaLogSkipped, func(p string) bool { return strings.HasPrefix(format, p) }) {
			return
		}
		ce.Write(zap.String("says", strings.TrimSpace(fmt.Sprintf(format, args...))))
	})
}

// kafkaLogSkipped are the prefixes of kafka-go's lines per member,
// partition and commit.
var kafkaLogSkipped = []string{"found ", "assigned member", "committed offsets"}
