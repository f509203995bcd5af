package delivery

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// With ordering key, one contact whose endpoint calls fail three times gets
// its events in order (the later ones parked behind the failing head across
// the in-memory wait and two retry tiers), while 1,000 events of other
// contacts are delivered meanwhile, before the clock moves at all.
func TestOrderingKeyHoldsBackOnlyTheFailingContact(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	script := func(a receiver.Arrival) (int, http.Header) {
		if a.MsgID == "msg_slow-1" && a.Attempt <= 3 {
			return 503, nil
		}
		return 200, nil
	}
	rcv, srv := testReceiver(t, script, clock.Now)
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, time.Hour}
	topic := "engagehub.deliver.sub"
	var msgs []kafka.Message
	slow := 0
	for i := range 1000 {
		if i%200 == 0 {
			slow++
			msgs = append(msgs, record(topic, "slow", fmt.Sprintf("slow-%d", slow)))
		}
		msgs = append(msgs, record(topic, fmt.Sprintf("c%d", i%50), fmt.Sprintf("other-%d", i)))
	}
	_ = b.WriteMessages(context.Background(), msgs...)
	runWorker(t, cfg, Endpoint{URL: srv.URL, Ordering: OrderingKey}, Deps{Broker: b, Sink: b, Clock: clock})

	others := func(a []receiver.Arrival) int {
		n := 0
		for _, x := range a {
			if len(x.MsgID) > 10 && x.MsgID[:10] == "msg_other-" {
				n++
			}
		}
		return n
	}
	if !rcv.Wait(10*time.Second, func(a []receiver.Arrival) bool { return others(a) == 1000 }) {
		t.Fatalf("other contacts' deliveries = %d, want 1000", others(rcv.Arrivals()))
	}
	if got := slowArrivals(rcv.Arrivals()); len(got) != 1 || got[0] != "msg_slow-1" {
		t.Fatalf("slow contact before the clock moved: %v, want only the first attempt of slow-1", got)
	}
	for range 200 { // advance until the slow contact drains (≤ 35m5s of schedule)
		if rcv.Wait(20*time.Millisecond, func(a []receiver.Arrival) bool { return len(slowArrivals(a)) == 8 }) {
			break
		}
		clock.Advance(30 * time.Second)
	}
	want := []string{"msg_slow-1", "msg_slow-1", "msg_slow-1", "msg_slow-1", "msg_slow-2", "msg_slow-3", "msg_slow-4", "msg_slow-5"}
	if got := slowArrivals(rcv.Arrivals()); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("slow contact arrivals = %v, want %v", got, want)
	}
	waitCommitted(t, b, topic, "engagehub-sender")
	parked := 0
	for _, m := range b.records("engagehub.retry.30m") {
		if header(m, event.HeaderRetryParked) == "true" {
			parked++
		}
	}
	if parked != 4 {
		t.Fatalf("followers parked behind the head in the 30m tier = %d, want 4", parked)
	}
	if n := len(b.records("engagehub.dlq.sub")); n != 0 {
		t.Fatalf("dead letters = %d, want 0", n)
	}
}

func slowArrivals(a []receiver.Arrival) []string {
	var ids []string
	for _, x := range a {
		if len(x.MsgID) > 9 && x.MsgID[:9] == "msg_slow-" {
			ids = append(ids, x.MsgID)
		}
	}
	return ids
}
