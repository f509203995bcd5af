package delivery

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// An upgrade from one group per subscription: the shared group starts where
// engagehub-sender-<id> left the delivery topic (nothing delivered again),
// and a retry waiting in the old tier engagehub.retry.<id>.<delay> is
// drained into the delivery topic and delivered. Both brokers.
func TestUpgradeResumesOldGroupsAndDrainsOldTiers(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	id := fmt.Sprintf("up%d", time.Now().UnixNano())
	deliver := cfg.Topics.DeliverPrefix + id
	var msgs []kafka.Message
	for i := range 10 {
		msgs = append(msgs, record(deliver, fmt.Sprintf("c%d", i), fmt.Sprintf("old-%d", i)))
	}
	produce(t, c, msgs)
	commitAs(t, c, legacyGroupPrefix+id, deliver, 6) // the old sender had settled 6
	old := record(cfg.Topics.RetryPrefix+id+".5m", "c9", "retried")
	old.Headers = withHeaders(old.Headers, event.HeaderRetryAttempt, "2", event.HeaderRetryDue, time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano))
	old.Headers = withHeaders(dropHeader(old.Headers, event.HeaderSubscription), event.HeaderSubscription, id)
	produce(t, c, []kafka.Message{old})

	rcv, srv := testReceiver(t, nil, nil)
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })
	deps := kafkaDeps(c, cfg, sink)
	opts := kafka.ConsumerOptions{MaxWait: 100 * time.Millisecond, RejoinDelay: 50 * time.Millisecond, RejoinInterval: 200 * time.Millisecond, Fallback: LegacyGroups(cfg)}
	deps.Deliveries, deps.Tiers = c.NewGroupConsumer(cfg.Topics.Group, opts), c.NewGroupConsumer(cfg.TierGroup(), opts)
	runWorker(t, cfg, Endpoint{ID: id, URL: srv.URL, Secrets: []webhook.Secret{testSecret}}, deps)

	want := []string{"msg_old-6", "msg_old-7", "msg_old-8", "msg_old-9", "msg_retried"}
	if !rcv.Wait(60*time.Second, func(a []receiver.Arrival) bool { return distinctIDs(a) >= len(want) }) {
		t.Fatalf("arrivals = %d, want %v", len(rcv.Arrivals()), want)
	}
	for _, a := range rcv.Arrivals() {
		found := false
		for _, w := range want {
			found = found || a.MsgID == w
		}
		if !found {
			t.Fatalf("%s delivered, but the old group had settled it", a.MsgID)
		}
	}
}

// commitAs commits, as group, the first n records of topic.
func commitAs(t *testing.T, c *kafka.Client, group, topic string, n int) {
	t.Helper()
	r := c.NewGroupReader(group, []string{topic}, kafka.ReaderOptions{MaxWait: 100 * time.Millisecond})
	defer func() { _ = r.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var got []kafka.Message
	for len(got) < 10 {
		m, err := r.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	// one partition per topic in kafkaConfig's brokers? commit per partition
	// the records among the first n offsets of each
	var settled []kafka.Message
	for _, m := range got {
		if header(m, event.HeaderEventID) < fmt.Sprintf("old-%d", n) {
			settled = append(settled, m)
		}
	}
	if err := r.Commit(ctx, settled...); err != nil {
		t.Fatal(err)
	}
}
