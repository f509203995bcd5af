package delivery

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
)

func TestClassifyResultHonoursTheReceiversDeliveryControl(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		status  int
		control string
		err     error
		want    Outcome
	}{
		{"503 abort-message dead-letters as aborted", 503, "abort-message", nil, Outcome{Kind: DeadLetter, Class: "aborted"}},
		{"429 abort-message, any case", 429, " Abort-Message ", nil, Outcome{Kind: DeadLetter, Class: "aborted"}},
		{"400 abort-message", 400, "abort-message", nil, Outcome{Kind: DeadLetter, Class: "aborted"}},
		{"200 abort-message is still delivered", 200, "abort-message", nil, Outcome{Kind: Delivered, Class: "2xx"}},
		{"503 disable", 503, "disable", nil, Outcome{Kind: Disable, Class: "disabled"}},
		{"200 disable", 200, "disable", nil, Outcome{Kind: Disable, Class: "disabled"}},
		{"unknown value ignored", 503, "pause", nil, Outcome{Kind: Retry, Class: "5xx"}},
		{"no header", 503, "", nil, Outcome{Kind: Retry, Class: "5xx"}},
		{"a transport error has no control", 0, "disable", errors.New("connection refused"), Outcome{Kind: Retry, Class: "connection"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ClassifyResult(Result{Status: tc.status, Control: tc.control, Err: tc.err}, now)
			if got != tc.want {
				t.Fatalf("ClassifyResult = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// answer returns a script answering status with the webhook-delivery header.
func answer(status int, control string) receiver.Script {
	return func(receiver.Arrival) (int, http.Header) {
		return status, http.Header{"Webhook-Delivery": []string{control}}
	}
}

func TestAbortMessageDeadLettersWithoutFurtherRetries(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, answer(503, ControlAbortMessage), nil)
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, time.Millisecond, time.Millisecond}
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"), record("engagehub.deliver.sub", "c1", "e2"))
	runWorker(t, cfg, Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b})
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
	if n := len(rcv.Arrivals()); n != 2 {
		t.Fatalf("arrivals = %d, want 2 (one per message, no retry)", n)
	}
	dl := b.records("engagehub.dlq.sub")
	if len(dl) != 2 {
		t.Fatalf("dead letters = %d, want 2", len(dl))
	}
	for _, m := range dl {
		if got := header(m, event.HeaderDLQError); got != "aborted" || headerInt(m, event.HeaderDLQAttempts) != 1 {
			t.Fatalf("dead letter error %q after %d attempts, want aborted after 1", got, headerInt(m, event.HeaderDLQAttempts))
		}
	}
}

func TestDeliveryControlDisableDisablesWithAnOperationalEvent(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, answer(200, ControlDisable), nil)
	b := newMemBroker()
	dis := &recordingDisabler{}
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	ts, _ := runWorker(t, testConfig(), Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Disabler: dis})
	eventually(t, 5*time.Second, ts.disabled, "worker disabled")
	assertOperational(t, b, dis)
	if n := len(rcv.Arrivals()); n != 1 {
		t.Fatalf("arrivals = %d, want 1", n)
	}
	dis.mu.Lock()
	reason := dis.reasons[0]
	dis.mu.Unlock()
	if reason != "receiver answered webhook-delivery: disable" {
		t.Fatalf("disable reason = %q", reason)
	}
}
