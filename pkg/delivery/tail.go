package delivery

import (
	"context"
	"fmt"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// tail reads up to window records from the end of every partition of topic
// (all of them when window ≤ 0) and hands those keep accepts to visit. It
// reads only records present at the call, so it always ends.
func tail(ctx context.Context, c *kafka.Client, topic string, window int64, visit func(kafka.Message)) error {
	ends, err := c.Ends(ctx, topic)
	if err != nil {
		return fmt.Errorf("delivery: ends of %s: %w", topic, err)
	}
	for _, e := range ends {
		from := e.First
		if window > 0 {
			from = max(e.First, e.Next-window)
		}
		if from >= e.Next {
			continue
		}
		if err := readRange(ctx, c, topic, e.Partition, from, e.Next, visit); err != nil {
			return err
		}
	}
	return nil
}

func readRange(ctx context.Context, c *kafka.Client, topic string, p int, from, to int64, visit func(kafka.Message)) error {
	r, err := c.NewPartitionReader(topic, p, from, kafka.ReaderOptions{MaxWait: 100e6})
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }()
	for {
		m, err := r.Fetch(ctx)
		if err != nil {
			return fmt.Errorf("delivery: read %s/%d: %w", topic, p, err)
		}
		visit(m)
		if m.Offset >= to-1 {
			return nil
		}
	}
}
