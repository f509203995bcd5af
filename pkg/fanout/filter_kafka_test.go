package fanout

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// startConfig is the config env.start runs fan-out with.
func startConfig(e env) Config {
	cfg := DefaultConfig()
	cfg.Group, cfg.ShutdownTimeout, cfg.RetryBackoff = e.group, 300*time.Millisecond, 50*time.Millisecond
	return cfg
}

// balances are point.balance.updated events b<from>..b<from+n-1>, with
// balances alternating 500 and 1500.
func balances(tb testing.TB, from, n int) ([]event.Event, map[string]bool, map[string]bool) {
	var evs []event.Event
	low, high := map[string]bool{}, map[string]bool{}
	for i := from; i < from+n; i++ {
		id, balance := fmt.Sprintf("b%d", i), 500.0
		if i%2 == 1 {
			balance, high[id] = 1500, true
		} else {
			low[id] = true
		}
		evs = append(evs, balanceEvent(tb, id, fmt.Sprintf("c%d", i%5), balance, "S1"))
	}
	return evs, low, high
}

func TestFilterChangeAppliesToEventsFannedOutAfterIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	e := newEnv(t, testClient(t))
	e.ensureEventTopics(ctx, t)
	store := e.openStore(ctx, t)
	serde := newSerde(t, e.eventPrefix)
	hook := filtered(webhookSub("rich", "point.balance.updated"), `payload.balance > 1000.0`)
	team := filtered(jsonKafkaSub("team", e.eventPrefix[:len(e.eventPrefix)-len(".engage.")]+".team", "*"), `payload.balance > 1000.0`)
	if _, _, err := store.Create(ctx, hook); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Create(ctx, team); err != nil {
		t.Fatal(err)
	}
	f := NewKafka(e.client, startConfig(e), Deps{Matcher: store.Matcher(), Decoder: &serdeDecoder{serde: serde}, EventPrefix: e.eventPrefix, DeliveryPrefix: e.deliveryPrefix})
	done := make(chan struct{})
	go func() { defer close(done); _ = f.Run(ctx); _ = f.Close() }()

	first, _, firstHigh := balances(t, 0, 20)
	e.produceRecords(ctx, t, records(t, serde, first...))
	for _, topic := range []string{e.deliveryPrefix + "rich", team.Destination.Topic} {
		waitFor(ctx, t, "the first events' copies on "+topic, func() bool { return len(distinctIDs(e.readTopic(ctx, t, topic))) >= len(firstHigh) })
	}
	for _, id := range []string{hook.ID, team.ID} {
		if _, _, err := store.Patch(ctx, id, []byte(`{"filter":"payload.balance <= 1000.0"}`)); err != nil {
			t.Fatal(err)
		}
	}
	second, secondLow, _ := balances(t, 20, 20)
	e.produceRecords(ctx, t, records(t, serde, second...))
	want := maps.Clone(firstHigh)
	maps.Copy(want, secondLow)
	for _, topic := range []string{e.deliveryPrefix + "rich", team.Destination.Topic} {
		var got map[string]bool
		waitFor(ctx, t, "the second events' copies on "+topic, func() bool {
			got = distinctIDs(e.readTopic(ctx, t, topic))
			return len(got) >= len(want)
		})
		if !maps.Equal(got, want) {
			t.Errorf("%s got %v, want the first batch's high balances and the second's low ones %v", topic, got, want)
		}
	}
	cancel()
	<-done
}

func TestUndecodableEventForAJSONDestinationIsDeadLetteredOnTheBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := newEnv(t, testClient(t))
	e.ensureEventTopics(ctx, t)
	store := e.openStore(ctx, t)
	serde := newSerde(t, e.eventPrefix)
	team := jsonKafkaSub("team", e.eventPrefix[:len(e.eventPrefix)-len(".engage.")]+".team-json", "*")
	if _, _, err := store.Create(ctx, team); err != nil {
		t.Fatal(err)
	}
	dlqPrefix := e.deliveryPrefix + "dlq."
	f := NewKafka(e.client, startConfig(e), Deps{Matcher: store.Matcher(), Decoder: &serdeDecoder{serde: serde}, EventPrefix: e.eventPrefix,
		DeliveryPrefix: e.deliveryPrefix, DeadLetterPrefix: dlqPrefix})
	done := make(chan struct{})
	go func() { defer close(done); _ = f.Run(ctx); _ = f.Close() }()

	good := records(t, serde, balanceEvent(t, "good-1", "c1", 10, "S1"), balanceEvent(t, "good-2", "c1", 20, "S1"))
	poison := good[0]
	poison.Value = []byte("not avro")
	poison.Headers = []kafka.Header{{Key: event.HeaderEventID, Value: []byte("poison")}, {Key: event.HeaderEventType, Value: []byte("point.balance.updated")}}
	e.produceRecords(ctx, t, []kafka.Message{good[0], poison, good[1]})

	waitFor(ctx, t, "both good events as JSON", func() bool { return len(e.readTopic(ctx, t, team.Destination.Topic)) >= 2 })
	waitFor(ctx, t, "the dead letter", func() bool { return len(e.readTopic(ctx, t, dlqPrefix+"team")) >= 1 })
	if got := distinctIDs(e.readTopic(ctx, t, team.Destination.Topic)); len(got) != 2 || !got["good-1"] || !got["good-2"] {
		t.Fatalf("copies = %v, want good-1 and good-2", got)
	}
	dl := e.readTopic(ctx, t, dlqPrefix+"team")
	if len(dl) != 1 || dl[0].id != "poison" || dl[0].value != "not avro" || dl[0].subscription != "team" {
		t.Fatalf("dead letters = %+v, want the poison record, value unchanged", dl)
	}
	cancel()
	<-done
}
