package delivery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// Retry metadata read from Kafka is untrusted: a record whose retry-attempt
// header is negative, not a number or past the schedule is dead-lettered
// with the reason, and the next record is delivered (no panic, no crash loop).
func TestBadRetryHeadersDeadLetterAndTheNextRecordFlows(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"-3", "x", "99"} {
		t.Run(bad, func(t *testing.T) {
			t.Parallel()
			rcv, srv := testReceiver(t, nil, nil)
			b := newMemBroker()
			m := record("engagehub.deliver.sub", "c1", "bad")
			m.Headers = append(m.Headers, kafka.Header{Key: event.HeaderRetryAttempt, Value: []byte(bad)})
			_ = b.WriteMessages(context.Background(), m, record("engagehub.deliver.sub", "c1", "next"))
			runWorker(t, testConfig(), Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b})
			waitArrivals(t, rcv, 1)
			if got := rcv.Arrivals()[0].MsgID; got != "msg_next" {
				t.Fatalf("arrival %s, want only msg_next", got)
			}
			waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
			dl := b.records("engagehub.dlq.sub")
			if len(dl) != 1 || !strings.Contains(header(dl[0], event.HeaderDLQError), "bad_record: header retry-attempt") {
				t.Fatalf("dead letters = %d, reason %q", len(dl), header(dl[0], event.HeaderDLQError))
			}
		})
	}
}

// panicDecoder panics on one value: a bug met by one record.
type panicDecoder struct{ on string }

func (d panicDecoder) Body(_ context.Context, v []byte) ([]byte, error) {
	if strings.Contains(string(v), d.on) {
		panic("decoder bug")
	}
	return v, nil
}

// A panic while handling one record dead-letters that record with the panic
// as its reason, is counted, and the subscription goes on.
func TestPanicInOneRecordDeadLettersItAndTheWorkerGoesOn(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, nil, nil)
	b := newMemBroker()
	metrics := NewMetrics(nil)
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "boom"), record("engagehub.deliver.sub", "c1", "after"))
	runWorker(t, testConfig(), Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Decoder: panicDecoder{on: `"boom"`}, Metrics: metrics})
	waitArrivals(t, rcv, 1)
	eventually(t, 5*time.Second, func() bool { return len(b.records("engagehub.dlq.sub")) == 1 }, "dead letter")
	if e := header(b.records("engagehub.dlq.sub")[0], event.HeaderDLQError); !strings.HasPrefix(e, "panic: panic: decoder bug") {
		t.Fatalf("dead-letter reason %q", e)
	}
	if n := metricValue(t, metrics.panics.WithLabelValues("sub")); n != 1 {
		t.Fatalf("engagehub_delivery_panics_total = %g, want 1", n)
	}
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
}
