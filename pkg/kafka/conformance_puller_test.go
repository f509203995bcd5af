package kafka_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

var pullerOpts = kafka.ConsumerOptions{MaxWait: 200 * time.Millisecond, RejoinDelay: 50 * time.Millisecond,
	RejoinInterval: 200 * time.Millisecond, SessionTimeout: 6 * time.Second}

// runPuller runs a Puller until the test ends or stop is called.
func runPuller(t *testing.T, c *kafka.Client, group string, topics []string, capacity int) (p *kafka.Puller, stop func()) {
	t.Helper()
	p = c.NewPuller(group, topics, capacity, pullerOpts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	stop = func() {
		cancel()
		<-done
		_ = p.Close()
	}
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			stop()
		}
	})
	return p, stop
}

// A Puller hands out every record once, each partition's in offset
// order, with a queue smaller than what waits (it fetches again as the
// queue drains); a second one resumes after what the first committed.
func TestConformancePullerReadsInPartitionOrderAndResumesAfterCommit(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 3, 2)
	group := kafkatest.Topic(t, "group")
	values := produce(t, c, topics, 40, "a")
	ctx := ctxFor(t, time.Minute)

	p, stop := runPuller(t, c, group, topics, 8)
	last := map[kafka.TopicPartition]int64{}
	got := map[string]bool{}
	var committed []kafka.Message
	for len(got) < len(values) {
		m, err := p.Fetch(ctx)
		if err != nil {
			t.Fatalf("after %d of %d records: %v", len(got), len(values), err)
		}
		tp := kafka.TopicPartition{Topic: m.Topic, Partition: m.Partition}
		if off, seen := last[tp]; seen && m.Offset <= off {
			t.Fatalf("%v: offset %d after %d", tp, m.Offset, off)
		}
		last[tp] = m.Offset
		if got[string(m.Value)] {
			t.Fatalf("%s handed out twice", m.Value)
		}
		got[string(m.Value)] = true
		if len(got) <= len(values)/2 {
			committed = append(committed, m)
		}
	}
	if err := p.Commit(ctx, committed...); err != nil {
		t.Fatal(err)
	}
	stop()

	p2, _ := runPuller(t, c, group, topics, 8)
	for range len(values) - len(committed) {
		m, err := p2.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, done := range committed {
			if string(m.Value) == string(done.Value) {
				t.Fatalf("%s was committed but handed out again", m.Value)
			}
		}
	}
}

// A group whose members are kafka-go Readers (an instance not yet
// upgraded) takes a Puller in: they agree on the range protocol and share
// the partitions.
func TestConformancePullerJoinsAGroupOfReaders(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 1, 4)
	group := kafkatest.Topic(t, "group")
	ctx := ctxFor(t, 2*time.Minute)
	reader := c.NewGroupReader(group, topics, kafka.ReaderOptions{SessionTimeout: 6 * time.Second})
	defer func() { _ = reader.Close() }()
	produce(t, c, topics, 4, "first")
	if _, err := reader.Fetch(ctx); err != nil { // the Reader is in the group
		t.Fatal(err)
	}

	p, _ := runPuller(t, c, group, topics, 100)
	var pulled atomic.Int64
	go func() {
		for {
			m, err := p.Fetch(ctx)
			if err != nil {
				return
			}
			if err := p.Commit(ctx, m); err == nil {
				pulled.Add(1)
			}
		}
	}()
	// Keys 0..7 land on all four partitions (Murmur2): whichever two the
	// Puller is given (kafka-go's range takes them in the broker's order,
	// not sorted), records reach it.
	round := 0
	produceUntil(t, 90*time.Second, "the Puller consuming beside the Reader", func() bool {
		round++
		produce(t, c, topics, 8, fmt.Sprint("round", round))
		return pulled.Load() > 0
	})
}
