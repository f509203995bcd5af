package ingest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Journal is the dedup window's shared, durable copy: a topic on which
// every ingest replica publishes the hashes (IDHash) of the Engage message
// ids it wrote, so that a restart replays the window in one short read and
// a retry that lands on another replica is recognised there.
type Journal interface {
	// Publish appends hashes of ids this replica wrote at at and returns
	// once Kafka acknowledged them. An error is retriable: publishing the
	// same hashes twice is harmless.
	Publish(ctx context.Context, at time.Time, hashes []uint64) error
	// Run follows the journal from where the replay ended, handing the
	// remember function given to the opener the hashes other replicas
	// publish, until ctx is done; it waits out Kafka outages itself and
	// returns nil then.
	Run(ctx context.Context) error
	// Close releases the journal once Run has returned.
	Close() error
}

// JournalOpener replays the hashes published at or after since into
// remember (from one goroutine, the one Run uses later) and returns the
// Journal once caught up with what the topic held at the call. An error is
// retriable by opening again.
type JournalOpener func(ctx context.Context, since time.Time, remember func(hash uint64, at time.Time)) (Journal, error)

// journalVersion is the first byte of a dedup record's value; the rest is
// its hashes, 8 bytes each, big-endian. The record's key is the publishing
// replica (random per process), its timestamp when they were published.
const journalVersion = 1

// maxJournalHashes caps the hashes of one record (512 KiB, under Kafka's
// default 1 MiB).
const maxJournalHashes = 64 << 10

// KafkaJournal returns a JournalOpener over topic, created (one partition,
// records kept for retention) when missing.
func KafkaJournal(client *kafka.Client, topic string, retention time.Duration, log *zap.Logger) JournalOpener {
	if log == nil {
		log = zap.NewNop()
	}
	spec := kafka.TopicSpec{Name: topic, Configs: map[string]string{
		"retention.ms": strconv.FormatInt(retention.Milliseconds(), 10),
		"segment.ms":   strconv.FormatInt(min(retention, time.Hour).Milliseconds(), 10),
	}}
	return func(ctx context.Context, since time.Time, remember func(uint64, time.Time)) (Journal, error) {
		j := &kafkaJournal{topic: topic, replica: newReplicaID(), since: since, remember: remember, log: log}
		table, err := client.OpenLog(ctx, spec, since, j.apply)
		if err != nil {
			return nil, fmt.Errorf("ingest: open dedup topic %s: %w", topic, err)
		}
		j.table = table
		return j, nil
	}
}

type kafkaJournal struct {
	topic    string
	replica  []byte
	since    time.Time
	table    *kafka.Table
	remember func(uint64, time.Time)
	log      *zap.Logger
}

func (j *kafkaJournal) Publish(ctx context.Context, at time.Time, hashes []uint64) error {
	for len(hashes) > 0 {
		n := min(len(hashes), maxJournalHashes)
		if err := j.table.AppendAt(ctx, at, j.replica, encodeHashes(hashes[:n])); err != nil {
			return fmt.Errorf("ingest: publish %d ids to %s: %w", n, j.topic, err)
		}
		hashes = hashes[n:]
	}
	return nil
}

func (j *kafkaJournal) Run(ctx context.Context) error { return j.table.Run(ctx) }

func (j *kafkaJournal) Close() error { return j.table.Close() }

// apply remembers the hashes of a record another replica published at or
// after since (a later offset may carry an older time); a record it cannot
// read is skipped with a warning (it only costs a possible duplicate).
func (j *kafkaJournal) apply(m kafka.Message) {
	if string(m.Key) == string(j.replica) || m.Time.Before(j.since) {
		return
	}
	hashes, err := decodeHashes(m.Value)
	if err != nil {
		j.log.Warn("skip dedup record", zap.String("topic", m.Topic), zap.Int("partition", m.Partition),
			zap.Int64("offset", m.Offset), zap.Error(err))
		return
	}
	for _, h := range hashes {
		j.remember(h, m.Time)
	}
}

func newReplicaID() []byte {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return []byte(hex.EncodeToString(b[:]))
}

func encodeHashes(hashes []uint64) []byte {
	out := make([]byte, 1, 1+8*len(hashes))
	out[0] = journalVersion
	for _, h := range hashes {
		out = binary.BigEndian.AppendUint64(out, h)
	}
	return out
}

var errBadJournalRecord = errors.New("not a dedup record")

func decodeHashes(v []byte) ([]uint64, error) {
	if len(v) == 0 || v[0] != journalVersion || (len(v)-1)%8 != 0 {
		return nil, fmt.Errorf("%w: %d bytes, version byte %v", errBadJournalRecord, len(v), firstByte(v))
	}
	out := make([]uint64, 0, (len(v)-1)/8)
	for i := 1; i < len(v); i += 8 {
		out = append(out, binary.BigEndian.Uint64(v[i:]))
	}
	return out, nil
}

func firstByte(v []byte) any {
	if len(v) == 0 {
		return "none"
	}
	return v[0]
}
