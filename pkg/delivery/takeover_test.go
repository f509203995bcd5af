package delivery

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// A contact parked by one instance stays parked on the instance that takes
// its partition over: x-1 waits in a retry tier, its instance goes away,
// another takes the partition, and x-2 (written after the takeover) waits
// behind x-1 while contact y flows. Both brokers.
func TestOrderingKeyParkedContactSurvivesTakeover(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	cfg.RetrySchedule = []time.Duration{0, time.Minute}
	clock := newFakeClock()
	script := func(a receiver.Arrival) (int, http.Header) {
		if a.MsgID == "msg_x-1" && a.Attempt == 1 {
			return 503, nil
		}
		return 200, nil
	}
	rcv, srv := testReceiver(t, script, clock.Now)
	ep := Endpoint{ID: "sub", URL: srv.URL, Secrets: []webhook.Secret{testSecret}}
	deliver := cfg.Topics.DeliverPrefix + "sub"
	produce(t, c, []kafka.Message{record(deliver, "x", "x-1")})
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })
	tier := tiersOf(cfg)[0].topic

	first := startClocked(t, c, cfg, sink, ep, clock)
	eventually(t, 60*time.Second, func() bool { return tierHolds(t, c, tier) == 1 }, "x-1 in the retry tier")
	first.leave()

	second := startClocked(t, c, cfg, sink, ep, clock)
	eventually(t, 60*time.Second, func() bool { return len(second.feed.Owned()) > 0 }, "the second instance owning the partition")
	produce(t, c, []kafka.Message{record(deliver, "x", "x-2"), record(deliver, "y", "y-1")})
	if !rcv.Wait(60*time.Second, func(a []receiver.Arrival) bool { return arrived(a, "msg_y-1") }) {
		t.Fatal("contact y was held back")
	}
	eventually(t, 60*time.Second, func() bool { return tierHolds(t, c, tier) == 2 }, "x-2 parked behind x-1")
	if arrived(rcv.Arrivals(), "msg_x-2") {
		t.Fatal("x-2 overtook x-1 after the takeover")
	}
	clock.Advance(time.Minute)
	if !rcv.Wait(60*time.Second, func(a []receiver.Arrival) bool { return arrived(a, "msg_x-2") }) {
		t.Fatal("x-2 never delivered")
	}
	var xs []string
	for _, a := range rcv.Arrivals() {
		if a.MsgID != "msg_y-1" {
			xs = append(xs, fmt.Sprintf("%s/%d", a.MsgID, a.Status))
		}
	}
	if want := "[msg_x-1/503 msg_x-1/200 msg_x-2/200]"; fmt.Sprint(xs) != want {
		t.Fatalf("contact x arrivals = %v, want %s", xs, want)
	}
}

// startClocked runs one sender instance for ep on clock.
func startClocked(t *testing.T, c *kafka.Client, cfg Config, sink Sink, ep Endpoint, clock Clock) *instance {
	t.Helper()
	deps := kafkaDeps(c, cfg, sink)
	in := &instance{feed: &killable{Feed: deps.Deliveries}, done: make(chan struct{})}
	deps.Deliveries, deps.Clock = in.feed, clock
	deps.Client, deps.Decoder = loopbackClient(), rawDecoder{}
	return in.run(t, cfg, deps, []Endpoint{ep})
}

// tierHolds counts the records of the shared tier topic.
func tierHolds(t *testing.T, c *kafka.Client, topic string) int64 {
	t.Helper()
	ends, err := c.Ends(ctxFor(t), topic)
	if err != nil {
		return -1
	}
	var n int64
	for _, e := range ends {
		n += e.Next - e.First
	}
	return n
}
