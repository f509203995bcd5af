package delivery

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/webhook"
)

type recordingDisabler struct {
	mu      sync.Mutex
	reasons []string
}

func (d *recordingDisabler) DisableSubscription(_ context.Context, _, reason string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reasons = append(d.reasons, reason)
	return nil
}

func (d *recordingDisabler) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.reasons)
}

// statuses scripts answers by arrival number of each message (the last repeats).
func statuses(codes ...int) receiver.Script {
	return func(a receiver.Arrival) (int, http.Header) {
		return codes[min(a.Attempt, len(codes))-1], nil
	}
}

func TestWorkerOutcomes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		script    receiver.Script
		arrivals  int    // requests the receiver sees
		deadClass string // "" when delivered
		disabled  bool
	}{
		{"2xx delivered", statuses(200), 1, "", false},
		{"5xx retried then delivered", statuses(503, 500, 201), 3, "", false},
		{"429 retried", statuses(429, 204), 2, "", false},
		{"408 retried", statuses(408, 200), 2, "", false},
		{"5xx until the schedule ends dead-letters", statuses(502), 3, "5xx", false},
		{"other 4xx dead-letters at once", statuses(400), 1, "4xx", false},
		{"3xx dead-letters at once", statuses(302), 1, "3xx", false},
		{"410 disables", statuses(410), 1, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rcv, srv := testReceiver(t, tc.script, nil)
			b := newMemBroker()
			dis := &recordingDisabler{}
			cfg := testConfig()
			cfg.RetrySchedule = []time.Duration{0, time.Millisecond, time.Millisecond}
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
			ts, _ := runWorker(t, cfg, Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Disabler: dis})
			if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return len(a) >= tc.arrivals }) {
				t.Fatalf("arrivals = %d, want %d", len(rcv.Arrivals()), tc.arrivals)
			}
			switch {
			case tc.disabled:
				eventually(t, 5*time.Second, ts.disabled, "worker disabled")
				assertOperational(t, b, dis)
				if n, _ := b.Pending(context.Background(), "engagehub.deliver.sub", "engagehub-sender"); n != 1 {
					t.Fatalf("pending after 410 = %d, want 1 (not committed)", n)
				}
			default:
				waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
				assertDeadLetter(t, b, tc.deadClass, tc.arrivals)
			}
			if got := len(rcv.Arrivals()); got != tc.arrivals {
				t.Fatalf("arrivals = %d, want %d", got, tc.arrivals)
			}
			for _, a := range rcv.Arrivals() {
				if !a.Verified || a.MsgID != "msg_e1" {
					t.Fatalf("arrival verified=%v id=%q err=%v", a.Verified, a.MsgID, a.Err)
				}
			}
		})
	}
}

func waitCommitted(t *testing.T, b *memBroker, topic, group string) {
	t.Helper()
	eventually(t, 5*time.Second, func() bool {
		n, _ := b.Pending(context.Background(), topic, group)
		return n == 0
	}, "commit of "+topic)
}

func assertDeadLetter(t *testing.T, b *memBroker, class string, attempts int) {
	t.Helper()
	dl := b.records("engagehub.dlq.sub")
	if class == "" {
		if len(dl) != 0 {
			t.Fatalf("dead letters = %d, want 0", len(dl))
		}
		return
	}
	if len(dl) != 1 {
		t.Fatalf("dead letters = %d, want 1", len(dl))
	}
	if got := header(dl[0], event.HeaderDLQError); len(got) < len(class) || got[:len(class)] != class {
		t.Fatalf("dlq-error = %q, want class %q", got, class)
	}
	if got := headerInt(dl[0], event.HeaderDLQAttempts); got != attempts {
		t.Fatalf("dlq-attempts = %d, want %d", got, attempts)
	}
	if header(dl[0], event.HeaderEventID) != "e1" || string(dl[0].Key) != "c1" {
		t.Fatalf("dead letter lost its key or headers: %+v", dl[0])
	}
}

func assertOperational(t *testing.T, b *memBroker, dis *recordingDisabler) {
	t.Helper()
	if dis.count() != 1 {
		t.Fatalf("disabler called %d times, want 1", dis.count())
	}
	ops := b.records("engagehub.operational")
	if len(ops) != 1 {
		t.Fatalf("operational events = %d, want 1", len(ops))
	}
	var ev OperationalEvent
	if err := json.Unmarshal(ops[0].Value, &ev); err != nil || ev.Type != "subscription.disabled" || ev.Subscription != "sub" {
		t.Fatalf("operational event = %s (%v)", ops[0].Value, err)
	}
}

func TestWorkerRetriesTimeoutsAndConnectionErrors(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var once sync.Once
	slow := func(a receiver.Arrival) (int, http.Header) {
		if a.Attempt == 1 {
			<-release // outlives the 50ms timeout
		}
		return 200, nil
	}
	rcv, srv := testReceiver(t, slow, nil)
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	b := newMemBroker()
	cfg := testConfig()
	cfg.RetrySchedule = []time.Duration{0, time.Millisecond}
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, cfg, Endpoint{URL: srv.URL, Timeout: 50 * time.Millisecond}, Deps{Broker: b, Sink: b})
	if !rcv.Wait(5*time.Second, func(a []receiver.Arrival) bool { return len(a) >= 1 && a[len(a)-1].Status == 200 }) {
		t.Fatal("timed-out attempt was not retried")
	}
	once.Do(func() { close(release) })
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")

	// A closed port: connection refused, retried, then dead-lettered as "connection".
	srv2 := srvClosed(t)
	b2 := newMemBroker()
	_ = b2.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, cfg, Endpoint{URL: srv2}, Deps{Broker: b2, Sink: b2})
	waitCommitted(t, b2, "engagehub.deliver.sub", "engagehub-sender")
	assertDeadLetter(t, b2, "connection", 2)
}

func srvClosed(t *testing.T) string {
	_, srv := testReceiver(t, nil, nil)
	url := srv.URL
	srv.Close()
	return url
}

func TestWorkerDeadLettersSSRFRefusals(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"http://127.0.0.1:9/hook", "http://10.0.0.1/hook", "http://169.254.169.254/latest", "http://localhost:9/hook"} {
		t.Run(url, func(t *testing.T) {
			t.Parallel()
			b := newMemBroker()
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
			client := webhook.NewHTTPClient(webhook.DialPolicy{}, 0, 4) // nothing allow-listed
			runWorker(t, testConfig(), Endpoint{URL: url}, Deps{Broker: b, Sink: b, Client: client})
			waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
			assertDeadLetter(t, b, "ssrf", 1)
		})
	}
}
