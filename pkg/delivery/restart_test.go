package delivery

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
)

// Which contacts are parked survives a restart: contact x's first event
// waits in a retry tier, the worker restarts, and x's next event waits
// behind it (parked in the tier, not delivered) while contact y flows.
func TestOrderingKeySurvivesRestart(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	script := func(a receiver.Arrival) (int, http.Header) {
		if a.MsgID == "msg_x-1" && a.Attempt == 1 {
			return 503, nil
		}
		return 200, nil
	}
	rcv, srv := testReceiver(t, script, clock.Now)
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, time.Minute}
	deliver, tier := "engagehub.deliver.sub", "engagehub.retry.1m"
	deps := Deps{Broker: b, Sink: b, Clock: clock}
	_ = b.WriteMessages(context.Background(), record(deliver, "x", "x-1"))
	_, stop := runWorker(t, cfg, Endpoint{URL: srv.URL}, deps)
	waitCommitted(t, b, deliver, "engagehub-sender")
	if n := len(b.records(tier)); n != 1 {
		t.Fatalf("tier records = %d, want x-1", n)
	}
	stop()

	runWorker(t, cfg, Endpoint{URL: srv.URL}, deps)
	_ = b.WriteMessages(context.Background(), record(deliver, "x", "x-2"), record(deliver, "y", "y-1"))
	waitCommitted(t, b, deliver, "engagehub-sender")
	if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return arrived(a, "msg_y-1") }) {
		t.Fatal("contact y was held back")
	}
	if recs := b.records(tier); len(recs) != 2 || header(recs[1], event.HeaderEventID) != "x-2" || header(recs[1], event.HeaderRetryParked) != "true" {
		t.Fatalf("x-2 was not parked behind x-1 after the restart: %d tier records", len(recs))
	}
	if arrived(rcv.Arrivals(), "msg_x-2") {
		t.Fatal("x-2 overtook x-1")
	}
	clock.Advance(time.Minute)
	if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return arrived(a, "msg_x-2") }) {
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

func arrived(a []receiver.Arrival, id string) bool {
	for _, x := range a {
		if x.MsgID == id {
			return true
		}
	}
	return false
}
