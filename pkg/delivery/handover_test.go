package delivery

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

func TestPartitionWatchNoticesTakeovers(t *testing.T) {
	t.Parallel()
	type rec struct {
		p   int
		off int64
	}
	cases := []struct {
		name string
		seen []rec // fetched before
		next rec
		want bool
	}{
		{"first record of the first partition", nil, rec{0, 7}, true},
		{"first record of another partition", []rec{{0, 7}}, rec{1, 0}, true},
		{"next offset of an owned partition", []rec{{0, 7}}, rec{0, 8}, false},
		{"refetch after a rebalance kept the partition", []rec{{0, 7}, {0, 8}}, rec{0, 7}, false},
		{"gap: another member consumed the records between", []rec{{0, 7}}, rec{0, 12}, true},
		{"gap in one partition leaves the other alone", []rec{{0, 7}, {1, 3}}, rec{1, 4}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pw := newPartitionWatch()
			for _, r := range tc.seen {
				pw.takenOver(r.p, r.off)
			}
			if got := pw.takenOver(tc.next.p, tc.next.off); got != tc.want {
				t.Fatalf("takenOver(%d, %d) = %v, want %v", tc.next.p, tc.next.off, got, tc.want)
			}
		})
	}
}

// parkedRecord is a retry-tier record as a worker writes it.
func parkedRecord(tier, contact, id string, due time.Time, parked bool) kafka.Message {
	m := record(tier, contact, id)
	kv := []string{event.HeaderRetryAttempt, "1", event.HeaderRetryDue, due.UTC().Format(time.RFC3339Nano)}
	if parked {
		kv = append(kv, event.HeaderRetryParked, "true")
	}
	m.Headers = withHeaders(m.Headers, kv...)
	return m
}

// A running worker that starts receiving a delivery-topic partition learns
// which of its contacts another instance parked after this worker started:
// the worker runs (partition 0), then contact x's head and follower are
// parked in a tier by another instance, then x's new event arrives from
// partition 1 and parks behind them while contact y flows.
func TestOrderingKeyLearnsContactsParkedBeforeTakeover(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rcv, srv := testReceiver(t, nil, clock.Now)
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, time.Minute}
	deliver, tier := "engagehub.deliver.sub", "engagehub.retry.sub.1m"
	runWorker(t, cfg, Endpoint{URL: srv.URL, Ordering: OrderingKey}, Deps{Broker: b, Sink: b, Clock: clock})
	_ = b.WriteMessages(context.Background(), record(deliver, "w", "w-1"))
	if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return arrived(a, "msg_w-1") }) {
		t.Fatal("worker not running")
	}

	due := clock.Now().Add(time.Minute)
	_ = b.WriteMessages(context.Background(), parkedRecord(tier, "x", "x-1", due, false), parkedRecord(tier, "x", "x-2", due, true))
	b.writeTo(1, record(deliver, "x", "x-3"), record(deliver, "y", "y-1"))
	waitCommitted(t, b, deliver, "engagehub-sender-sub")
	if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return arrived(a, "msg_y-1") }) {
		t.Fatal("contact y was held back")
	}
	if recs := b.records(tier); len(recs) != 3 || header(recs[2], event.HeaderEventID) != "x-3" || header(recs[2], event.HeaderRetryParked) != "true" {
		t.Fatalf("x-3 was not parked behind x-1 and x-2: %d tier records", len(recs))
	}
	if arrived(rcv.Arrivals(), "msg_x-3") {
		t.Fatal("x-3 overtook the events parked before the takeover")
	}
	clock.Advance(time.Minute)
	if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return arrived(a, "msg_x-3") }) {
		t.Fatal("x-3 never delivered: the tier left by the other instance is not read")
	}
	if got, want := contactArrivals(rcv.Arrivals(), "msg_x-"), "[msg_x-1 msg_x-2 msg_x-3]"; got != want {
		t.Fatalf("contact x arrivals = %s, want %s", got, want)
	}
}

func contactArrivals(a []receiver.Arrival, prefix string) string {
	var ids []string
	for _, x := range a {
		if len(x.MsgID) >= len(prefix) && x.MsgID[:len(prefix)] == prefix {
			ids = append(ids, x.MsgID)
		}
	}
	return fmt.Sprint(ids)
}
