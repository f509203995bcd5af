package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// adminAPI serves the delivery admin routes for lookup.
func adminAPI(t *testing.T, cfg Config, c *kafka.Client, sink Sink, lookup Lookup, eventPrefix string) string {
	t.Helper()
	admin := NewAdmin(cfg, c, sink, lookup, loopbackClient(), eventPrefix, "engagehub/test", zap.NewNop())
	router := httpapi.NewRouter(httpapi.NewAuth([]string{"tok"}))
	router.Handle(admin.Routes()...)
	api := httptest.NewServer(router)
	t.Cleanup(api.Close)
	return api.URL
}

func eventRecord(topic, contact, id string, at time.Time) kafka.Message {
	m := record(topic, contact, id)
	m.Time = at
	return m
}

// POST /replay copies onto the delivery topic exactly the events of the
// subscription's types written after `since` — from every partition, none
// older, none of other types — and the running worker delivers them.
func TestReplayRedeliversExactlyTheEventsSince(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	prefix := kafkatest.Topic(t, "engage") + "."
	now := time.Now().Truncate(time.Millisecond)
	var matching, other []kafka.Message
	for i := range 12 {
		at := now.Add(-2 * time.Hour)
		if i%3 != 0 {
			at = now.Add(-time.Duration(i) * time.Minute)
		}
		matching = append(matching, eventRecord(prefix+"contact.updated", fmt.Sprintf("c%d", i), fmt.Sprintf("ev%d", i), at))
		other = append(other, eventRecord(prefix+"point.balance.updated", fmt.Sprintf("c%d", i), fmt.Sprintf("pt%d", i), now))
	}
	produce(t, c, matching)
	produce(t, c, other)
	var want []string
	for i, m := range matching {
		if i%3 != 0 {
			want = append(want, "msg_"+header(m, event.HeaderEventID))
		}
	}
	rcv, srv := testReceiver(t, nil, nil)
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })
	ep := Endpoint{ID: "sub", URL: srv.URL, EventTypes: []string{"contact.*"}}
	runWorker(t, cfg, ep, kafkaDeps(c, cfg, sink))
	api := adminAPI(t, cfg, c, sink, staticLookup{"sub": ep}, prefix)

	var out struct{ Copied int }
	since := now.Add(-time.Hour).UTC().Format(time.RFC3339)
	if code := call(t, api, "POST", "/v1/subscriptions/sub/replay", `{"since":"`+since+`"}`, &out); code != 202 || out.Copied != len(want) {
		t.Fatalf("replay = %d copied %d, want 202 copied %d", code, out.Copied, len(want))
	}
	if !rcv.Wait(30*time.Second, func(a []receiver.Arrival) bool { return len(a) >= len(want) }) {
		t.Fatalf("arrivals = %d, want %d", len(rcv.Arrivals()), len(want))
	}
	var got []string
	for _, a := range rcv.Arrivals() {
		if !a.Verified {
			t.Fatalf("unverified arrival %s: %v", a.MsgID, a.Err)
		}
		got = append(got, a.MsgID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("replayed %v, want %v", got, want)
	}
	ends, err := c.Ends(context.Background(), cfg.Topics.DeliverPrefix+"sub")
	if err != nil {
		t.Fatal(err)
	}
	var onTopic int64
	for _, e := range ends {
		onTopic += e.Next - e.First
	}
	if onTopic != int64(len(want)) {
		t.Fatalf("delivery topic holds %d records, want %d", onTopic, len(want))
	}
}

// POST /test sends one signed engagehub.ping and answers the receiver's status.
func TestTestPingArrivesSignedAndReportsTheStatus(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	for _, status := range []int{202, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			rcv, srv := testReceiver(t, statuses(status), nil)
			ep := Endpoint{ID: "sub", URL: srv.URL, Secrets: []webhook.Secret{testSecret}}
			api := adminAPI(t, cfg, c, nil, staticLookup{"sub": ep}, "engage.")
			var out struct {
				EventID string
				Status  int
				Outcome string
			}
			if code := call(t, api, "POST", "/v1/subscriptions/sub/test", "", &out); code != 200 || out.Status != status {
				t.Fatalf("test ping = %d %+v, want 200 reporting %d", code, out, status)
			}
			a := rcv.Arrivals()
			if len(a) != 1 || !a[0].Verified || a[0].MsgID != MessageID(out.EventID) {
				t.Fatalf("arrivals = %+v, want one verified ping %s", a, out.EventID)
			}
			var body struct{ EventType string }
			if err := json.Unmarshal(a[0].Body, &body); err != nil || body.EventType != "engagehub.ping" {
				t.Fatalf("ping body = %s (%v)", a[0].Body, err)
			}
			if want := Classify(status, "", nil, time.Now()).Kind.String(); out.Outcome != want {
				t.Fatalf("outcome = %q, want %q", out.Outcome, want)
			}
		})
	}
}
