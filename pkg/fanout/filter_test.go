package fanout

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/subscription"
)

func filtered(sub subscription.Subscription, expr string) subscription.Subscription {
	sub.Filter = expr
	return sub
}

func jsonKafkaSub(id, topic string, types ...string) subscription.Subscription {
	return subscription.Subscription{ID: id, EventTypes: types, Enabled: true,
		Destination: subscription.Destination{Type: subscription.DestinationKafka, Topic: topic, Format: subscription.FormatJSON}}
}

func TestFiltersDecidePerSubscriptionAndAreCounted(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			serde := newSerde(t, "engage.")
			batch := records(t, serde,
				balanceEvent(t, "e1", "c1", 500, "S1"),
				balanceEvent(t, "e2", "c2", 1500, "S1"),
				balanceEvent(t, "e3", "c3", 2500, "S2"),
			)
			reg := prometheus.NewRegistry()
			sink := &memSink{}
			f := New(DefaultConfig(), Deps{Sink: sink, Decoder: &serdeDecoder{serde: serde}, EventPrefix: "engage.", DeliveryPrefix: "d.", Registerer: reg,
				Matcher: snapshotOf(
					webhookSub("all", "*"),
					filtered(webhookSub("rich", "point.balance.updated"), `payload.balance > 1000.0`),
					filtered(webhookSub("store", "*"), `type == "point.balance.updated" && payload.unknown.storeId == "S1"`),
					filtered(webhookSub("nobody", "*"), `contactId == "none"`),
					filtered(webhookSub("broken", "*"), `payload.balanceExpires < timestamp("2030-01-01T00:00:00Z")`), // absent field: an error
					filtered(jsonKafkaSub("team", "team.t", "*"), `payload.balance > 2000.0`),
				)})
			got, err := writeBatch(f, batch, mode.ahead)
			if err != nil {
				t.Fatal(err)
			}
			f.metrics.committed(batch, got)
			want := map[string][]string{"d.all": {"e1", "e2", "e3"}, "d.rich": {"e2", "e3"}, "d.store": {"e1", "e2"}, "team.t": {"e3"}}
			if w := sink.byTopic(); !maps.EqualFunc(w, want, slices.Equal) {
				t.Fatalf("copies by topic = %v, want %v", w, want)
			}
			for _, m := range []struct {
				vec    *prometheus.CounterVec
				labels []string
				want   float64
			}{
				{f.metrics.copies, []string{"rich"}, 2},
				{f.metrics.skipped, []string{"rich", "filter"}, 1},
				{f.metrics.skipped, []string{"nobody", "filter"}, 3},
				{f.metrics.skipped, []string{"broken", "filter_error"}, 3},
				{f.metrics.copies, []string{"team"}, 1},
				{f.metrics.skipped, []string{"team", "filter"}, 2},
			} {
				if v := testutil.ToFloat64(m.vec.WithLabelValues(m.labels...)); v != m.want {
					t.Errorf("%v = %v, want %v", m.labels, v, m.want)
				}
			}
		})
	}
}

func TestEventIsDecodedOnceForAllFiltersAndNeverWithoutOne(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			serde := newSerde(t, "engage.")
			batch := records(t, serde, balanceEvent(t, "e1", "c1", 1500, "S1"), balanceEvent(t, "e2", "c2", 1500, "S1"))
			cases := []struct {
				name   string
				subs   []subscription.Subscription
				calls  int
				fields []string // the payload fields decoded
				raw    bool
			}{
				{"no filters", []subscription.Subscription{webhookSub("a", "*"), webhookSub("b", "*")}, 0, nil, false},
				{"filters on headers only", []subscription.Subscription{filtered(webhookSub("a", "*"), `type == "point.balance.updated" && source == "engage"`)}, 0, nil, false},
				{"two filters on typed fields", []subscription.Subscription{
					filtered(webhookSub("a", "*"), `payload.balance > 1000.0`),
					filtered(webhookSub("b", "*"), `payload.accountId == 7 && payload.balance > 1.0`),
				}, 2, []string{"accountId", "balance"}, false},
				{"three filters on the payload and a json copy", []subscription.Subscription{
					filtered(webhookSub("a", "*"), `payload.balance > 1000.0`),
					filtered(webhookSub("b", "*"), `payload.accountId == 7`),
					filtered(webhookSub("c", "*"), `has(payload.unknown.storeId)`),
					jsonKafkaSub("d", "team.t", "*"),
				}, 2, []string{"accountId", "balance"}, true},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					dec := &serdeDecoder{serde: serde}
					f := New(DefaultConfig(), Deps{Sink: &memSink{}, Decoder: dec, EventPrefix: "engage.", DeliveryPrefix: "d.", Matcher: snapshotOf(c.subs...)})
					if _, err := writeBatch(f, batch, mode.ahead); err != nil {
						t.Fatal(err)
					}
					if dec.count() != c.calls {
						t.Fatalf("decoded %d times, want %d", dec.count(), c.calls)
					}
					if c.calls > 0 && (!slices.Equal(slices.Sorted(slices.Values(dec.last.Payload)), c.fields) || dec.last.AllPayload || dec.last.Raw != c.raw) {
						t.Fatalf("decoded %+v, want only the fields %v (raw %v)", dec.last, c.fields, c.raw)
					}
				})
			}
		})
	}
}

// flakyDecoder fails with err the first failures calls.
type flakyDecoder struct {
	*serdeDecoder
	failures int
	err      error
}

func (d *flakyDecoder) Project(ctx context.Context, value []byte, p schema.Projection, f *schema.Fields) error {
	if d.failures > 0 {
		d.failures--
		return d.err
	}
	return d.serdeDecoder.Project(ctx, value, p, f)
}

func TestUndecodableEventIsDeadLetteredForFilteredSubscriptionsOnly(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			serde := newSerde(t, "engage.")
			batch := records(t, serde, balanceEvent(t, "e1", "c1", 1500, "S1"))
			batch = append(batch, kafka.Message{Topic: "engage.point.balance.updated", Key: []byte("c2"), Value: []byte("not avro"),
				Headers: []kafka.Header{{Key: event.HeaderEventID, Value: []byte("e2")}, {Key: event.HeaderEventType, Value: []byte("point.balance.updated")}}})
			sink, topics := &memSink{}, &memTopics{}
			f := New(DefaultConfig(), Deps{Sink: sink, Topics: topics, Decoder: &serdeDecoder{serde: serde}, EventPrefix: "engage.", DeliveryPrefix: "d.",
				DeadLetterPrefix: "x.dlq.", Matcher: snapshotOf(webhookSub("plain", "*"), filtered(webhookSub("rich", "*"), `payload.balance > 1000.0`),
					filtered(webhookSub("headers", "*"), `contactId != ""`))})
			if _, err := writeBatch(f, batch, mode.ahead); err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{"d.plain": {"e1", "e2"}, "d.rich": {"e1"}, "x.dlq.rich": {"e2"}, "d.headers": {"e1", "e2"}}
			if w := sink.byTopic(); !maps.EqualFunc(w, want, slices.Equal) {
				t.Fatalf("copies by topic = %v, want %v", w, want)
			}
			if !slices.Contains(topics.created, "x.dlq.rich") {
				t.Fatalf("dead-letter topic not created before the write: %v", topics.created)
			}
			dl := sink.written[slices.IndexFunc(sink.written, func(m kafka.Message) bool { return m.Topic == "x.dlq.rich" })]
			if reason := headerOf(dl, headerDLQError); !strings.HasPrefix(reason, "decode: ") || headerOf(dl, event.HeaderSubscription) != "rich" {
				t.Fatalf("dead letter headers %v", dl.Headers)
			}
		})
	}
}

func TestTransientDecodeErrorFailsTheBatchWhichIsRetried(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			serde := newSerde(t, "engage.")
			batch := records(t, serde, balanceEvent(t, "e1", "c1", 1500, "S1"))
			dec := &flakyDecoder{serdeDecoder: &serdeDecoder{serde: serde}, failures: 1, err: errors.New("registry unreachable")}
			if mode.ahead {
				dec.failures = 2 // one swallowed ahead (the writer decides again), one failing the write
			}
			sink := &memSink{}
			f := New(DefaultConfig(), Deps{Sink: sink, Decoder: dec, EventPrefix: "engage.", DeliveryPrefix: "d.",
				Matcher: snapshotOf(webhookSub("plain", "*"), filtered(webhookSub("rich", "*"), `payload.balance > 1000.0`))})
			if _, err := writeBatch(f, batch, mode.ahead); err == nil || !strings.Contains(err.Error(), "registry unreachable") {
				t.Fatalf("write = %v, want the decoder's error", err)
			}
			if len(sink.written) != 0 {
				t.Fatalf("a failed batch wrote %d copies", len(sink.written))
			}
			got, err := writeBatch(f, batch, mode.ahead)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string][]string{"d.plain": {"e1"}, "d.rich": {"e1"}}; !maps.EqualFunc(sink.byTopic(), want, slices.Equal) {
				t.Fatalf("after the retry: %v, want %v", sink.byTopic(), want)
			}
			if got["rich"].copies != 1 || got["plain"].copies != 1 {
				t.Fatalf("counts after the retry = %v, want one copy each", got)
			}
		})
	}
}

func TestFilterOverUnrecognizedEventsReadsTheirPayloadAsUnknown(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			serde := newSerde(t, "engage.")
			raw := []byte(`{"id":"u1","eventType":"custom.thing","payload":{"contactId":"c9","storeId":"S1"}}`)
			env, _ := event.Parse(raw)
			ev, err := event.New(env, "svc", time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			batch := records(t, serde, ev)
			sink := &memSink{}
			f := New(DefaultConfig(), Deps{Sink: sink, Decoder: &serdeDecoder{serde: serde}, EventPrefix: "engage.", DeliveryPrefix: "d.",
				Matcher: snapshotOf(filtered(webhookSub("odd", "*"), `type == "custom.thing" && payload.unknown.storeId == "S1" && source == "svc"`))})
			if _, err := writeBatch(f, batch, mode.ahead); err != nil {
				t.Fatal(err)
			}
			if got := sink.byTopic()["d.odd"]; !slices.Equal(got, []string{"u1"}) {
				t.Fatalf("copies = %v, want [u1] (%s)", got, fmt.Sprint(sink.byTopic()))
			}
		})
	}
}

// Filters reading a map only at constant keys get only those entries
// decoded — the union over the subscriptions — and still decide right;
// one filter reading the map whole makes it decoded whole.
func TestMapEntriesDecodedAreTheUnionTheFiltersRead(t *testing.T) {
	serde := newSerde(t, "engage.")
	batch := records(t, serde, contactUpdate(t, "e1", "c1")) // attributes: firstName, lastName, email, zipCode, bonusLevel
	byEntries := []subscription.Subscription{
		filtered(webhookSub("a", "*"), `has(payload.attributes.email)`),
		filtered(webhookSub("b", "*"), `payload.attributes["zipCode"] == "41301"`),
		filtered(webhookSub("c", "*"), `payload.attributes.lastName == "Nobody"`),
		filtered(webhookSub("d", "*"), `has(payload.attributes.missing)`),
	}
	whole := append(slices.Clone(byEntries), filtered(webhookSub("e", "*"), `size(payload.attributes) == 5`))
	for _, mode := range modes {
		for name, c := range map[string]struct {
			subs    []subscription.Subscription
			entries map[string][]string
			copies  map[string]int
		}{
			"keys only": {byEntries, map[string][]string{"attributes": {"email", "lastName", "missing", "zipCode"}},
				map[string]int{"a": 1, "b": 1}},
			"one filter reads the map whole": {whole, nil, map[string]int{"a": 1, "b": 1, "e": 1}},
		} {
			t.Run(mode.name+"/"+name, func(t *testing.T) {
				dec := &serdeDecoder{serde: serde}
				f := New(DefaultConfig(), Deps{Sink: &memSink{}, Decoder: dec, EventPrefix: "engage.", DeliveryPrefix: "d.", Matcher: snapshotOf(c.subs...)})
				got, err := writeBatch(f, batch, mode.ahead)
				if err != nil {
					t.Fatal(err)
				}
				if !maps.EqualFunc(dec.last.Entries, c.entries, slices.Equal) {
					t.Errorf("decoded entries %v, want %v", dec.last.Entries, c.entries)
				}
				for _, sub := range c.subs {
					if got[sub.ID].copies != c.copies[sub.ID] {
						t.Errorf("%s (%s): %d copies, want %d", sub.ID, sub.Filter, got[sub.ID].copies, c.copies[sub.ID])
					}
				}
			})
		}
	}
}
