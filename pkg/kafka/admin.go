package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// TopicSpec describes a topic engagehub needs.
type TopicSpec struct {
	Name string
	// Partitions; 0 means the configured kafka.partitions.
	Partitions int
	// Compacted topics keep the latest record per key (cleanup.policy=compact).
	Compacted bool
	// Configs are extra topic configs (e.g. retention.ms).
	Configs map[string]string
}

// EnsureTopics creates the topics that do not exist yet ("already exists" is
// success) and waits until every partition of every topic has a leader, so a
// write right after it does not meet LeaderNotAvailable. It retries
// transient errors until ctx is done.
func (c *Client) EnsureTopics(ctx context.Context, specs ...TopicSpec) error {
	if len(specs) == 0 {
		return nil
	}
	req := &kafkago.CreateTopicsRequest{Topics: make([]kafkago.TopicConfig, 0, len(specs))}
	names := make([]string, 0, len(specs))
	for _, s := range specs {
		req.Topics = append(req.Topics, c.topicConfig(s))
		names = append(names, s.Name)
	}
	created := map[string]bool{}
	err := c.retry(ctx, func() error {
		res, err := c.admin.CreateTopics(ctx, req)
		if err != nil {
			return err
		}
		var errs []error
		for topic, terr := range res.Errors {
			switch {
			case terr == nil:
				created[topic] = true
			case !errors.Is(terr, kafkago.TopicAlreadyExists):
				errs = append(errs, fmt.Errorf("%s: %w", topic, terr))
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return fmt.Errorf("kafka: create topics: %w", err)
	}
	return c.waitForLeaders(ctx, names, created)
}

func (c *Client) topicConfig(s TopicSpec) kafkago.TopicConfig {
	partitions := s.Partitions
	if partitions <= 0 {
		partitions = c.cfg.Partitions
	}
	tc := kafkago.TopicConfig{
		Topic:             s.Name,
		NumPartitions:     partitions,
		ReplicationFactor: c.cfg.ReplicationFactor,
	}
	configs := map[string]string{}
	if s.Compacted {
		configs["cleanup.policy"] = "compact"
	}
	if c.cfg.ReplicationFactor > 1 {
		configs["min.insync.replicas"] = strconv.Itoa(min(2, c.cfg.ReplicationFactor))
	}
	for k, v := range s.Configs {
		configs[k] = v
	}
	keys := make([]string, 0, len(configs))
	for k := range configs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		tc.ConfigEntries = append(tc.ConfigEntries, kafkago.ConfigEntry{ConfigName: k, ConfigValue: configs[k]})
	}
	return tc
}

// waitForLeaders waits until every partition of topics has a leader, and
// until the leaders of the partitions of created serve them.
func (c *Client) waitForLeaders(ctx context.Context, topics []string, created map[string]bool) error {
	return c.retry(ctx, func() error {
		res, err := c.admin.Metadata(ctx, &kafkago.MetadataRequest{Topics: topics})
		if err != nil {
			return err
		}
		for _, t := range res.Topics {
			if t.Error != nil {
				return fmt.Errorf("%s: %w", t.Name, t.Error)
			}
			if len(t.Partitions) == 0 {
				return fmt.Errorf("%s: no partitions yet", t.Name)
			}
			for _, p := range t.Partitions {
				if p.Error != nil || p.Leader.Host == "" {
					return fmt.Errorf("%s/%d: no leader yet", t.Name, p.ID)
				}
			}
		}
		var fresh []kafkago.Topic
		for _, t := range res.Topics {
			if created[t.Name] {
				fresh = append(fresh, t)
			}
		}
		return c.leadersServe(ctx, fresh)
	})
}

// leadersServe asks every partition's leader for its end offset: Apache
// Kafka names a new partition's leader in metadata a moment before that
// leader serves it (NOT_LEADER_OR_FOLLOWER meanwhile). kafka-go sends one
// request per partition, all at once, each on a connection of its own: the
// partitions go listOffsetsChunk at a time, so creating a thousand topics
// does not open a thousand connections.
func (c *Client) leadersServe(ctx context.Context, topics []kafkago.Topic) error {
	var all []TopicPartition
	for _, t := range topics {
		for _, p := range t.Partitions {
			all = append(all, TopicPartition{t.Name, p.ID})
		}
	}
	for len(all) > 0 {
		n := min(len(all), listOffsetsChunk)
		if err := c.endsServed(ctx, all[:n]); err != nil {
			return err
		}
		all = all[n:]
	}
	return nil
}

// listOffsetsChunk bounds the ListOffsets requests (connections) in flight.
const listOffsetsChunk = 16

func (c *Client) endsServed(ctx context.Context, tps []TopicPartition) error {
	req := &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{}}
	for _, tp := range tps {
		req.Topics[tp.Topic] = append(req.Topics[tp.Topic], kafkago.LastOffsetOf(tp.Partition))
	}
	res, err := c.admin.ListOffsets(ctx, req)
	if err != nil {
		return err
	}
	for topic, offsets := range res.Topics {
		for _, po := range offsets {
			if po.Error != nil {
				return fmt.Errorf("%s/%d: %w", topic, po.Partition, po.Error)
			}
		}
	}
	return nil
}

// DeleteTopics deletes topics; a topic that does not exist counts as deleted.
func (c *Client) DeleteTopics(ctx context.Context, names ...string) error {
	res, err := c.admin.DeleteTopics(ctx, &kafkago.DeleteTopicsRequest{Topics: names})
	if err != nil {
		return fmt.Errorf("kafka: delete topics: %w", err)
	}
	var errs []error
	for topic, terr := range res.Errors {
		if terr != nil && !errors.Is(terr, kafkago.UnknownTopicOrPartition) {
			errs = append(errs, fmt.Errorf("kafka: delete topic %s: %w", topic, terr))
		}
	}
	return errors.Join(errs...)
}

// Topics lists the topics whose names start with prefix, sorted.
func (c *Client) Topics(ctx context.Context, prefix string) ([]string, error) {
	res, err := c.admin.Metadata(ctx, &kafkago.MetadataRequest{})
	if err != nil {
		return nil, fmt.Errorf("kafka: metadata: %w", err)
	}
	var out []string
	for _, t := range res.Topics {
		if strings.HasPrefix(t.Name, prefix) && t.Error == nil {
			out = append(out, t.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Ping asks the cluster for metadata, which fails on refused credentials,
// and makes a round trip to a broker (ApiVersions), which fails when no
// broker answers: kafka-go answers metadata from a cache for seconds after
// the brokers went away, and a broker answers ApiVersions before SASL.
func (c *Client) Ping(ctx context.Context) error {
	if _, err := c.admin.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{}}); err != nil {
		return fmt.Errorf("kafka: ping: %w", c.authError(err))
	}
	if _, err := c.admin.ApiVersions(ctx, &kafkago.ApiVersionsRequest{}); err != nil {
		return fmt.Errorf("kafka: ping: %w", c.authError(err))
	}
	return nil
}

// PartitionEnds holds, per partition, the first offset and the offset the
// next record will get (the high watermark).
type PartitionEnds struct {
	Partition   int
	First, Next int64
}

// Ends returns the offsets bounding every partition of topic, by partition.
// Transient errors (a leader moving) are retried for up to 10 s.
func (c *Client) Ends(ctx context.Context, topic string) ([]PartitionEnds, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var out []PartitionEnds
	err := c.retry(ctx, func() (err error) {
		out, err = c.ends(ctx, topic)
		return err
	})
	return out, err
}

func (c *Client) ends(ctx context.Context, topic string) ([]PartitionEnds, error) {
	md, err := c.admin.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("kafka: metadata %s: %w", topic, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil {
		return nil, fmt.Errorf("kafka: metadata %s: %w", topic, topicError(md.Topics))
	}
	var reqs []kafkago.OffsetRequest
	for _, p := range md.Topics[0].Partitions {
		reqs = append(reqs, kafkago.FirstOffsetOf(p.ID), kafkago.LastOffsetOf(p.ID))
	}
	res, err := c.admin.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("kafka: list offsets %s: %w", topic, err)
	}
	out := make([]PartitionEnds, 0, len(res.Topics[topic]))
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("kafka: list offsets %s/%d: %w", topic, po.Partition, po.Error)
		}
		out = append(out, PartitionEnds{Partition: po.Partition, First: po.FirstOffset, Next: po.LastOffset})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out, nil
}

// offsetAt returns the offset of the first record of partition pe written
// at or after t, or pe.Next when there is none (transient errors retried
// for up to 10 s, like Ends).
func (c *Client) offsetAt(ctx context.Context, topic string, pe PartitionEnds, t time.Time) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req := &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{
		topic: {kafkago.TimeOffsetOf(pe.Partition, t)},
	}}
	offset := pe.Next
	err := c.retry(ctx, func() error {
		res, err := c.admin.ListOffsets(ctx, req)
		if err != nil {
			return err
		}
		for _, po := range res.Topics[topic] {
			if po.Error != nil {
				return po.Error
			}
			for o := range po.Offsets { // negative when no record is that recent
				if o >= 0 {
					offset = o
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("kafka: offset of %s/%d at %s: %w", topic, pe.Partition, t.Format(time.RFC3339), err)
	}
	return min(max(offset, pe.First), pe.Next), nil
}

// GroupOffsets returns a consumer group's committed offsets on topic, by partition.
func (c *Client) GroupOffsets(ctx context.Context, group, topic string) (map[int]int64, error) {
	offs, err := c.admin.ConsumerOffsets(ctx, kafkago.TopicAndGroup{Topic: topic, GroupId: group})
	if err != nil {
		return nil, fmt.Errorf("kafka: offsets of group %s on %s: %w", group, topic, err)
	}
	return offs, nil
}

func topicError(ts []kafkago.Topic) error {
	if len(ts) == 0 || ts[0].Error == nil { // not described, or with no partitions
		return kafkago.UnknownTopicOrPartition
	}
	return ts[0].Error
}

// retry runs fn until it succeeds, fails permanently, or ctx is done.
func (c *Client) retry(ctx context.Context, fn func() error) error {
	backoff := 50 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			return nil
		}
		if !Retriable(err) {
			return err
		}
		timer := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-timer.C:
		}
		backoff = min(2*backoff, time.Second)
	}
}
