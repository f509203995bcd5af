package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// newTestAdmin returns the delivery operations for lookup.
func newTestAdmin(cfg Config, c *kafka.Client, sink Sink, lookup Lookup, eventPrefix string) *Admin {
	return NewAdmin(cfg, c, sink, lookup, loopbackClient(), eventPrefix, "engagehub/test", zap.NewNop())
}

func eventRecord(topic, contact, id string, at time.Time) kafka.Message {
	m := record(topic, contact, id)
	m.Time = at
	return m
}

// Replay copies onto the delivery topic exactly the events of the
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
	admin := newTestAdmin(cfg, c, sink, staticLookup{"sub": ep}, prefix)

	var reports []ReplayProgress
	out, err := admin.Replay(ctxFor(t), "sub", now.Add(-time.Hour), func(p ReplayProgress) { reports = append(reports, p) })
	if err != nil || out.Copied != len(want) || !out.Finished {
		t.Fatalf("replay = %+v, %v; want finished, copied %d", out, err, len(want))
	}
	if last := reports[len(reports)-1]; !last.Finished || last.Scanned != last.Total || last.Total < int64(len(want)) {
		t.Fatalf("last progress = %+v, want finished with scanned == total ≥ %d", last, len(want))
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

// Ping sends one signed engagehub.ping and answers the receiver's status.
func TestTestPingArrivesSignedAndReportsTheStatus(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	for _, status := range []int{202, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			rcv, srv := testReceiver(t, statuses(status), nil)
			ep := Endpoint{ID: "sub", URL: srv.URL, Secrets: []webhook.Secret{testSecret}}
			admin := newTestAdmin(cfg, c, nil, staticLookup{"sub": ep}, "engage.")
			out, err := admin.Ping(ctxFor(t), "sub")
			if err != nil || out.Status != status {
				t.Fatalf("test ping = %+v, %v; want reporting %d", out, err, status)
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
