package attemptindex

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/ops"
)

// produceAttempts writes n attempts round-robin over subs subscriptions,
// keyed by subscription as the sender's attempt log writes them.
func produceAttempts(t testing.TB, c *kafka.Client, topic string, n, subs int) {
	t.Helper()
	w := c.NewWriter(kafka.WriterOptions{})
	defer func() { _ = w.Close() }()
	batch := make([]kafka.Message, 0, 1000)
	for i := range n {
		a := ops.Attempt{Subscription: fmt.Sprintf("sub-%d", i%subs), EventID: fmt.Sprintf("ev-%d", i), EventType: "contact.updated",
			ContactID: fmt.Sprintf("c-%d", i%50), Status: 200, Outcome: "delivered", At: t0.Add(time.Duration(i) * time.Millisecond),
			RequestHeaders: map[string]string{"webhook-id": fmt.Sprintf("msg_ev-%d", i)}}
		if i%5 == 0 {
			a.Status, a.Outcome, a.ResponseBody = 500, "retry", "boom"
		}
		v, _ := json.Marshal(a)
		batch = append(batch, kafka.Message{Topic: topic, Key: []byte(a.Subscription), Value: v})
		if len(batch) == cap(batch) || i == n-1 {
			if err := w.WriteMessages(context.Background(), batch...); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// follow runs a follower of topic into a new index until the test ends,
// and waits until it indexed n attempts.
func follow(t testing.TB, c *kafka.Client, topic string, n int) *Index {
	t.Helper()
	x := New(DefaultConfig(), topic, c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = NewFollower(c, x, zap.NewNop()).Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(60 * time.Second)
	for x.Stats().Entries < n {
		if time.Now().After(deadline) {
			t.Fatalf("indexed %d of %d attempts", x.Stats().Entries, n)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-done:
			t.Fatal("follower stopped")
		}
	}
	return x
}

func TestFollowerIndexesTheTopicAndPagesReadBackFromKafka(t *testing.T) {
	c := kafkatest.Client(t)
	topic := kafkatest.Topic(t, "engagehub.attempts")
	if err := c.EnsureTopics(context.Background(), kafka.TopicSpec{Name: topic}); err != nil {
		t.Fatal(err)
	}
	produceAttempts(t, c, topic, 5_000, 50)
	x := follow(t, c, topic, 5_000)
	start := time.Now()
	page, err := x.Attempts(context.Background(), ops.AttemptQuery{Subscription: "sub-10", Outcome: ops.OutcomeFailed, Limit: 30})
	took := time.Since(start)
	if err != nil || len(page.Attempts) != 30 || page.Next == "" {
		t.Fatalf("failed attempts of sub-10: %d (%v), want a page of 30 and a next", len(page.Attempts), err)
	}
	if a := page.Attempts[0]; a.EventID != "ev-4960" || a.ResponseBody != "boom" || a.RequestHeaders["webhook-id"] != "msg_ev-4960" {
		t.Fatalf("newest failure = %+v, want ev-4960 with its response body and headers", a)
	}
	t.Logf("page of 30 failures of one of 50 subscriptions over 5,000 attempts read back from Kafka in %v", took)
	// more attempts arrive while it follows
	produceAttempts(t, c, topic, 10, 50)
	deadline := time.Now().Add(30 * time.Second)
	for x.Stats().Entries < 5_010 && time.Now().Before(deadline) {
		<-time.After(20 * time.Millisecond)
	}
	if got := x.Stats().Entries; got != 5_010 {
		t.Fatalf("index holds %d attempts after 10 more, want 5,010", got)
	}
}
