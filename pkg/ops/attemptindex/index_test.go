package attemptindex

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/ops"
)

// memLog is an attempt-log topic in memory: it hands out offsets and reads
// records back by them.
type memLog struct {
	recs  map[[2]int64]kafka.Message
	order []kafka.Message
	next  map[int]int64
	reads int
}

func newMemLog() *memLog { return &memLog{recs: map[[2]int64]kafka.Message{}, next: map[int]int64{}} }

func (l *memLog) append(p int, a ops.Attempt) kafka.Message {
	v, _ := json.Marshal(a)
	m := kafka.Message{Partition: p, Offset: l.next[p], Key: []byte(a.Subscription), Value: v}
	l.next[p]++
	l.recs[[2]int64{int64(p), m.Offset}] = m
	l.order = append(l.order, m)
	return m
}

func (l *memLog) ReadOffsets(_ context.Context, _ string, p int, offs []int64) (map[int64]kafka.Message, error) {
	l.reads++
	out := map[int64]kafka.Message{}
	for _, o := range offs {
		if m, ok := l.recs[[2]int64{int64(p), o}]; ok {
			out[o] = m
		}
	}
	return out, nil
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fill indexes n attempts round-robin over subs subscriptions (partition
// = subscription number mod 12), every 7th one failing.
func fill(x *Index, log *memLog, n, subs int) {
	from := len(log.order)
	fillLog(log, n, subs)
	for _, m := range log.order[from:] {
		x.Add(m)
	}
}

// fillLog writes the attempts fill indexes.
func fillLog(log *memLog, n, subs int) {
	for i := range n {
		s := i % subs
		a := ops.Attempt{Subscription: fmt.Sprintf("sub-%d", s), EventID: fmt.Sprintf("ev-%d", i), EventType: "contact.updated",
			ContactID: fmt.Sprintf("c-%d", i%500), Status: 200, Outcome: "delivered", At: t0.Add(time.Duration(i) * time.Millisecond)}
		if i%7 == 0 {
			a.Status, a.Outcome, a.EventType, a.ResponseBody = 503, "retry", "point.balance.updated", "upstream down"
		}
		log.append(s%12, a)
	}
}

func TestAQuietFailingSubscriptionIsNotPushedOutByABusyOne(t *testing.T) {
	t.Parallel()
	log := newMemLog()
	x := New(Config{MaxEntries: 2_000, MinPerSubscription: 100}, "attempts", log)
	for i := range 23 {
		x.Add(log.append(1, ops.Attempt{Subscription: "quiet", EventID: fmt.Sprint("q", i), Outcome: "retry", Status: 500, At: t0}))
	}
	fill(x, log, 5_000, 1) // sub-0: 5,000 attempts
	page, err := x.Attempts(context.Background(), ops.AttemptQuery{Subscription: "quiet", Limit: 100})
	if err != nil || len(page.Attempts) != 23 {
		t.Fatalf("quiet subscription: %d attempts (%v), want all 23", len(page.Attempts), err)
	}
	if st := x.Stats(); st.Entries > 2_000 {
		t.Fatalf("index holds %d entries, over MaxEntries 2,000", st.Entries)
	}
}

func TestQueriesFilterAndPageNewestFirst(t *testing.T) {
	t.Parallel()
	log := newMemLog()
	x := New(DefaultConfig(), "attempts", log)
	fill(x, log, 7_000, 10) // sub-3: 700 attempts, 100 failing
	ctx := context.Background()
	cases := []struct {
		name string
		q    ops.AttemptQuery
		want int
	}{
		{"all", ops.AttemptQuery{Subscription: "sub-3", Limit: 1000}, 700},
		{"failed", ops.AttemptQuery{Subscription: "sub-3", Outcome: ops.OutcomeFailed, Limit: 1000}, 100},
		{"delivered", ops.AttemptQuery{Subscription: "sub-3", Outcome: ops.OutcomeDelivered, Limit: 1000}, 600},
		{"event type", ops.AttemptQuery{Subscription: "sub-3", EventType: "point.balance.updated", Limit: 1000}, 100},
		{"unknown type", ops.AttemptQuery{Subscription: "sub-3", EventType: "nope", Limit: 1000}, 0},
		{"contact", ops.AttemptQuery{Subscription: "sub-3", ContactID: "c-3", Limit: 1000}, 14},
		{"time", ops.AttemptQuery{Subscription: "sub-3", Since: t0.Add(6 * time.Second), Limit: 1000}, 100},
		{"unknown subscription", ops.AttemptQuery{Subscription: "nope", Limit: 10}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := x.Attempts(ctx, tc.q)
			if err != nil || len(page.Attempts) != tc.want {
				t.Fatalf("%d attempts (%v), want %d", len(page.Attempts), err, tc.want)
			}
			for _, a := range page.Attempts {
				if !tc.q.Matches(a) {
					t.Fatalf("attempt %+v does not match the query", a)
				}
			}
		})
	}
	var seen []string
	prev := t0.Add(time.Hour)
	q := ops.AttemptQuery{Subscription: "sub-3", Outcome: ops.OutcomeFailed, Limit: 30}
	for {
		page, err := x.Attempts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Attempts {
			if !a.At.Before(prev) {
				t.Fatalf("attempt %s at %v is not older than the one before (%v)", a.EventID, a.At, prev)
			}
			prev = a.At
			seen = append(seen, a.EventID)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if len(seen) != 100 || len(uniq(seen)) != 100 {
		t.Fatalf("paging saw %d attempts (%d distinct), want the 100 failures once each", len(seen), len(uniq(seen)))
	}
}

func uniq(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

func TestAPageReadsItsRowsWithOneReadAPartition(t *testing.T) {
	t.Parallel()
	log := newMemLog()
	x := New(DefaultConfig(), "attempts", log)
	fill(x, log, 3_000, 30)
	page, err := x.Attempts(context.Background(), ops.AttemptQuery{Subscription: "sub-12", Limit: 50})
	if err != nil || len(page.Attempts) != 50 || log.reads != 1 {
		t.Fatalf("%d rows in %d reads (%v), want 50 in 1", len(page.Attempts), log.reads, err)
	}
	if page.Attempts[0].EventID != "ev-2982" {
		t.Fatalf("first row = %s, want the newest ev-2982", page.Attempts[0].EventID)
	}
}

func TestTraceQueryCrossesSubscriptions(t *testing.T) {
	t.Parallel()
	log := newMemLog()
	x := New(DefaultConfig(), "attempts", log)
	for _, sub := range []string{"a", "b", "c"} {
		x.Add(log.append(0, ops.Attempt{Subscription: sub, EventID: "e1", ContactID: "c1", Outcome: "delivered", At: t0}))
		x.Add(log.append(0, ops.Attempt{Subscription: sub, EventID: "e2", ContactID: "c2", Outcome: "delivered", At: t0}))
	}
	page, err := x.Attempts(context.Background(), ops.AttemptQuery{EventID: "e1", Limit: 100})
	if err != nil || len(page.Attempts) != 3 {
		t.Fatalf("trace found %d attempts (%v), want 3", len(page.Attempts), err)
	}
}

func TestExpiredRecordsAreLeftOutAndABadCursorIsRefused(t *testing.T) {
	t.Parallel()
	log := newMemLog()
	x := New(DefaultConfig(), "attempts", log)
	fill(x, log, 100, 1)
	delete(log.recs, [2]int64{0, 99})
	page, _ := x.Attempts(context.Background(), ops.AttemptQuery{Subscription: "sub-0", Limit: 10})
	if len(page.Attempts) != 9 || page.Attempts[0].EventID != "ev-98" {
		t.Fatalf("page = %d rows from %s, want 9 from ev-98", len(page.Attempts), page.Attempts[0].EventID)
	}
	_, err := x.Attempts(context.Background(), ops.AttemptQuery{Subscription: "sub-0", Limit: 10, Cursor: "x"})
	if _, ok := err.(*ops.Malformed); !ok {
		t.Fatalf("bad cursor = %v, want *ops.Malformed", err)
	}
}
