package delivery

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// A subscription with rateLimit 5 sends its burst (one) at once and then one
// request per 200ms of the worker's clock: 5 more per second, however many
// are waiting.
func TestRateLimitSpacesRequestsOnTheClock(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rcv, srv := testReceiver(t, nil, clock.Now)
	b := newMemBroker()
	var msgs []kafka.Message
	for i := range 20 {
		msgs = append(msgs, record("engagehub.deliver.sub", fmt.Sprintf("c%d", i), fmt.Sprintf("e%d", i)))
	}
	_ = b.WriteMessages(context.Background(), msgs...)
	runWorker(t, testConfig(), Endpoint{URL: srv.URL, RateLimit: 5}, Deps{Broker: b, Sink: b, Clock: clock})
	waitArrivals(t, rcv, 1)
	clock.waitWaiters(t, 19) // every other request holds a reservation on the clock
	if n := len(rcv.Arrivals()); n != 1 {
		t.Fatalf("arrivals before the clock moved = %d, want the burst of 1", n)
	}
	for sec, want := range []int{6, 11, 16, 20} {
		clock.Advance(time.Second)
		waitArrivals(t, rcv, want)
		if n := len(rcv.Arrivals()); n != want {
			t.Fatalf("after %ds arrivals = %d, want %d", sec+1, n, want)
		}
	}
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
}
