package delivery

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// Two instances of one subscription share its group. Instance A parks
// contact x (x's first event fails into the 1m tier, x's next event parks
// behind it) after B started, so B's start-up rebuild knew nothing of x. A
// stops hard, B takes over A's partitions, and x's new event must still wait
// behind x's parked events while other contacts flow.
func TestOrderingKeyParkedContactSurvivesTakeover(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	cfg.RetrySchedule = []time.Duration{0, time.Minute}
	clock := newFakeClock()
	rcvA, srvA := testReceiver(t, func(a receiver.Arrival) (int, http.Header) {
		if a.MsgID == "msg_park-1" && a.Attempt == 1 {
			return 503, nil
		}
		return 200, nil
	}, clock.Now)
	rcvB, srvB := testReceiver(t, nil, clock.Now)
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })
	opts := kafka.ReaderOptions{MaxWait: 50 * time.Millisecond}
	kb := &killable{KafkaBroker: NewKafkaBroker(c, opts)}
	killCfg := cfg
	killCfg.ShutdownTimeout = 0
	_, errcA, stopA := runWorker(t, killCfg, Endpoint{URL: srvA.URL, Ordering: OrderingKey}, Deps{Broker: kb, Sink: sink, Clock: clock})
	runWorker(t, cfg, Endpoint{URL: srvB.URL, Ordering: OrderingKey}, Deps{Broker: NewKafkaBroker(c, opts), Sink: sink, Clock: clock})

	deliver := cfg.Topics.DeliverPrefix + "sub"
	x := contactOf(t, c, deliver, rcvA, rcvB)
	produce(t, c, []kafka.Message{record(deliver, x, "park-1")})
	tier := cfg.Topics.RetryPrefix + "sub.1m"
	defer func() {
		if t.Failed() {
			t.Logf("contact %s; A got %v; B got %v", x, contactIDs(rcvA.Arrivals(), "msg_park-"), contactIDs(rcvB.Arrivals(), "msg_park-"))
		}
	}()
	waitTierRecords(t, c, tier, 1)
	produce(t, c, []kafka.Message{record(deliver, x, "park-2")})
	waitTierRecords(t, c, tier, 2)
	waitSettled(t, kb.KafkaBroker, deliver, cfg.Topics.GroupPrefix+"sub")

	kb.killed.Store(true)
	stopA()
	if err := <-errcA; err != nil {
		t.Fatal(err)
	}
	msgs := []kafka.Message{record(deliver, x, "park-3")}
	for i := range 12 {
		if y := fmt.Sprintf("c%d", i); y != x {
			msgs = append(msgs, record(deliver, y, "after-"+y))
		}
	}
	produce(t, c, msgs)
	if !rcvB.Wait(60*time.Second, func(a []receiver.Arrival) bool { return len(contactIDs(a, "msg_after-")) == 11 }) {
		t.Fatalf("other contacts held back: B delivered %v", contactIDs(rcvB.Arrivals(), "msg_after-"))
	}
	waitSettled(t, kb.KafkaBroker, deliver, cfg.Topics.GroupPrefix+"sub")
	if arrived(rcvB.Arrivals(), "msg_park-3") {
		t.Fatal("park-3 overtook contact x's events parked by the instance that left")
	}
	waitTierRecords(t, c, tier, 3)
	clock.Advance(time.Minute)
	if !rcvB.Wait(30*time.Second, func(a []receiver.Arrival) bool { return len(contactIDs(a, "msg_park-")) == 3 }) {
		t.Fatalf("contact x after the takeover: B delivered %v", contactIDs(rcvB.Arrivals(), "msg_park-"))
	}
	if got := fmt.Sprint(contactIDs(rcvB.Arrivals(), "msg_park-")); got != "[msg_park-1 msg_park-2 msg_park-3]" {
		t.Fatalf("contact x arrivals at B = %s, want park-1, park-2, park-3 in order", got)
	}
	if got := fmt.Sprint(contactIDs(rcvA.Arrivals(), "msg_park-")); got != "[msg_park-1]" {
		t.Fatalf("contact x arrivals at A = %s, want only park-1's failed first attempt", got)
	}
}

// contactOf sends rounds of probe events for contacts c0..c11 until both
// instances deliver some, split the same way in two rounds in a row (the
// group is settled), and returns a contact whose partition A owns.
func contactOf(t *testing.T, c *kafka.Client, deliver string, rcvA, rcvB *receiver.Receiver) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last := ""
	for round := 0; time.Now().Before(deadline); round++ {
		prefix := fmt.Sprintf("msg_r%d-", round)
		var msgs []kafka.Message
		for i := range 12 {
			msgs = append(msgs, record(deliver, fmt.Sprintf("c%d", i), fmt.Sprintf("r%d-c%d", round, i)))
		}
		produce(t, c, msgs)
		all := func() bool {
			return len(contactIDs(rcvA.Arrivals(), prefix))+len(contactIDs(rcvB.Arrivals(), prefix)) >= 12
		}
		eventually(t, 60*time.Second, all, "probe round delivered")
		a := contactIDs(rcvA.Arrivals(), prefix)
		for i := range a {
			a[i] = a[i][len(prefix):]
		}
		slices.Sort(a)
		split := fmt.Sprint(a)
		if len(a) > 0 && len(a) < 12 && split == last {
			return a[0]
		}
		last = split
	}
	t.Fatal("the two instances never settled on a split of the delivery topic")
	return ""
}

func contactIDs(a []receiver.Arrival, prefix string) []string {
	var ids []string
	for _, x := range a {
		if len(x.MsgID) >= len(prefix) && x.MsgID[:len(prefix)] == prefix {
			ids = append(ids, x.MsgID)
		}
	}
	return ids
}

func waitTierRecords(t *testing.T, c *kafka.Client, topic string, n int64) {
	t.Helper()
	eventually(t, 30*time.Second, func() bool {
		ends, err := c.Ends(context.Background(), topic)
		var got int64
		for _, e := range ends {
			got += e.Next - e.First
		}
		return err == nil && got == n
	}, fmt.Sprintf("%d records in %s", n, topic))
}

func waitSettled(t *testing.T, b *KafkaBroker, topic, group string) {
	t.Helper()
	eventually(t, 30*time.Second, func() bool {
		n, err := b.Pending(context.Background(), topic, group)
		return err == nil && n == 0
	}, "commit of "+topic)
}
