package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// readAtMaxBytes caps one fetch of ReadOffsets (the broker still returns a
// whole first batch when it is larger).
const readAtMaxBytes = 1 << 20

// ReadOffsets returns the records at offsets of one partition, keyed by
// offset, with as few fetches as the offsets' spread allows: each fetch
// starts at the smallest offset not yet read and takes every wanted
// record the response holds. An offset that no longer exists (retention)
// or does not exist yet is absent from the result, not an error.
func (c *Client) ReadOffsets(ctx context.Context, topic string, partition int, offsets []int64) (map[int64]Message, error) {
	want := slices.Clone(offsets)
	slices.Sort(want)
	want = slices.Compact(want)
	out := make(map[int64]Message, len(want))
	tp := TopicPartition{Topic: topic, Partition: partition}
	for len(want) > 0 {
		last, err := c.fetchAt(ctx, tp, want, out)
		if err != nil {
			return out, err
		}
		if last < want[0] { // want[0] is gone (retention) or not written yet
			want = want[1:]
			continue
		}
		i, _ := slices.BinarySearch(want, last+1)
		want = want[i:]
	}
	return out, nil
}

// fetchAt fetches the records of tp from want[0] on and copies into out
// those of want (sorted), skipping the others without copying them. It
// returns the last offset the response held (below want[0] when none).
func (c *Client) fetchAt(ctx context.Context, tp TopicPartition, want []int64, out map[int64]Message) (int64, error) {
	res, err := c.admin.Fetch(ctx, &kafkago.FetchRequest{Topic: tp.Topic, Partition: tp.Partition, Offset: want[0],
		MinBytes: 1, MaxBytes: readAtMaxBytes, MaxWait: 10 * time.Millisecond})
	if err != nil {
		return -1, fmt.Errorf("kafka: fetch %s/%d@%d: %w", tp.Topic, tp.Partition, want[0], err)
	}
	if errors.Is(res.Error, kafkago.OffsetOutOfRange) {
		return -1, nil
	}
	if res.Error != nil {
		return -1, fmt.Errorf("kafka: fetch %s/%d@%d: %w", tp.Topic, tp.Partition, want[0], res.Error)
	}
	last := int64(-1)
	for {
		r, err := res.Records.ReadRecord()
		if errors.Is(err, io.EOF) {
			return last, nil
		}
		if err != nil {
			return last, fmt.Errorf("kafka: read %s/%d@%d: %w", tp.Topic, tp.Partition, want[0], err)
		}
		last = r.Offset
		if _, ok := slices.BinarySearch(want, r.Offset); !ok {
			closeBytes(r.Key)
			closeBytes(r.Value)
			continue
		}
		m, err := toMessage(tp, r)
		if err != nil {
			return last, err
		}
		out[r.Offset] = m
	}
}
