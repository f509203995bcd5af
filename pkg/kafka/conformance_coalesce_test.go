package kafka_test

// The conformance suite's CoalescingWriter part (see conformance_test.go).

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// Many callers writing one message at a time, concurrently, through one
// CoalescingWriter: every message is acknowledged and read back, each
// caller's in the order it wrote them.
func TestConformanceCoalescingWriterConcurrentCallersKeepTheirOrder(t *testing.T) {
	c := kafkatest.Client(t)
	ctx := ctxFor(t, time.Minute)
	topic := kafkatest.Topic(t, "coalesce")
	if err := c.EnsureTopics(ctx, kafka.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		t.Fatal(err)
	}
	w := c.NewCoalescingWriter(kafka.WriterOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 20*25)
	for caller := range 20 {
		wg.Go(func() {
			for i := range 25 {
				m := kafka.Message{Topic: topic, Key: []byte(fmt.Sprintf("caller%d", caller)), Value: []byte(strconv.Itoa(i))}
				errs <- w.WriteMessages(ctx, m)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	next := map[string]int{}
	for _, m := range readAll(ctx, t, c, topic) {
		if got, want := string(m.Value), strconv.Itoa(next[string(m.Key)]); got != want {
			t.Fatalf("%s: read %s where %s was next", m.Key, got, want)
		}
		next[string(m.Key)]++
	}
	for caller := range 20 {
		if n := next[fmt.Sprintf("caller%d", caller)]; n != 25 {
			t.Fatalf("caller%d: %d of 25 messages read back", caller, n)
		}
	}
}
