package delivery

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// contactFilter keeps the events of contacts with an even number, as a
// subscription's filter would.
type contactFilter struct{}

func (contactFilter) Keep(_ context.Context, m kafka.Message) (bool, error) {
	var n int
	_, _ = fmt.Sscanf(strings.TrimPrefix(string(m.Key), "c"), "%d", &n)
	return n%2 == 0, nil
}

// Replay applies the subscription's current filter: only the events fan-out
// would copy to it now reach its delivery topic.
func TestReplayAppliesTheSubscriptionsCurrentFilter(t *testing.T) {
	c := kafkatest.Client(t)
	cfg := kafkaConfig(t)
	prefix := kafkatest.Topic(t, "engage") + "."
	now := time.Now().Truncate(time.Millisecond)
	var events []kafka.Message
	for i := range 10 {
		events = append(events, eventRecord(prefix+"contact.updated", fmt.Sprintf("c%d", i), fmt.Sprintf("ev%d", i), now))
	}
	produce(t, c, events)
	sink := c.NewWriter(kafka.WriterOptions{})
	t.Cleanup(func() { _ = sink.Close() })
	ep := Endpoint{ID: "sub", URL: "http://127.0.0.1:9/", EventTypes: []string{"contact.*"}, Filter: contactFilter{}}
	admin := newTestAdmin(cfg, c, sink, staticLookup{"sub": ep}, prefix)

	out, err := admin.Replay(ctxFor(t), "sub", now.Add(-time.Hour), nil)
	if err != nil || out.Copied != 5 {
		t.Fatalf("replay = %+v, %v; want copied the 5 the filter keeps", out, err)
	}
	var got []string
	for _, m := range readTopic(t, c, cfg.Topics.DeliverPrefix+"sub") {
		got = append(got, header(m, event.HeaderEventID))
	}
	slices.Sort(got)
	if want := []string{"ev0", "ev2", "ev4", "ev6", "ev8"}; !slices.Equal(got, want) {
		t.Fatalf("delivery topic holds %v, want %v", got, want)
	}
}

// readTopic reads every record of topic present now.
func readTopic(t *testing.T, c *kafka.Client, topic string) []kafka.Message {
	t.Helper()
	var out []kafka.Message
	if err := tail(ctxFor(t), c, topic, 0, func(m kafka.Message) { out = append(out, m) }); err != nil {
		t.Fatal(err)
	}
	return out
}
